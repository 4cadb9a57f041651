import { createTcpProxy } from '@otp-suite/db/testing'
import t from 'tap'
import { bearer, buildUserService, login, testDatabase, testEnv } from './helpers.ts'

const database = await testDatabase(t)
const app = await buildUserService(t, testEnv(database.url))

t.test('PATCH /users/me changes names and nothing else', async (t) => {
  const session = await login(app, { sub: 'profile@example.com' })
  const patch = (payload: object) => app.inject({ method: 'PATCH', url: '/api/v1/users/me', headers: bearer(session.accessToken), payload })
  const changed = await patch({ firstName: 'Ada', lastName: 'Lovelace' })
  t.equal(changed.statusCode, 200)
  t.match(changed.json(), { firstName: 'Ada', lastName: 'Lovelace', email: 'profile@example.com', role: 'user' })
  const escalation = await patch({ firstName: 'Eve', role: 'admin', status: 'active', email: 'other@example.com', emailVerified: true })
  t.match(escalation.json(), { firstName: 'Eve', role: 'user', email: 'profile@example.com' }, 'fields other than the names are dropped')
  const me = await app.inject({ method: 'GET', url: '/api/v1/users/me', headers: bearer(session.accessToken) })
  t.match(me.json(), { firstName: 'Eve', lastName: 'Lovelace', role: 'user' })
})

t.test('bad input gets a 4xx with a stable code, never a 5xx', async (t) => {
  const session = await login(app, { sub: 'bad-input@example.com' })
  const cases: [string, string, unknown, Record<string, string>, number, string][] = [
    ['POST', '/api/v1/auth/otp/login', {}, {}, 400, 'VALIDATION_ERROR'],
    ['POST', '/api/v1/auth/otp/login', { proof: 42 }, {}, 400, 'VALIDATION_ERROR'],
    ['POST', '/api/v1/auth/otp/login', { proof: 'x'.repeat(5000) }, {}, 400, 'VALIDATION_ERROR'],
    ['POST', '/api/v1/auth/otp/login', { proof: 'a.b.c' }, {}, 401, 'PROOF_INVALID'],
    ['POST', '/api/v1/auth/refresh', { refreshToken: session.accessToken }, {}, 401, 'REFRESH_INVALID'],
    ['POST', '/api/v1/auth/refresh', { refreshToken: '\u0000' }, {}, 401, 'REFRESH_INVALID'],
    ['POST', '/api/v1/auth/logout', { scope: 'everything' }, bearer(session.accessToken), 400, 'VALIDATION_ERROR'],
    ['PATCH', '/api/v1/users/me', { firstName: 'a\u0000b' }, bearer(session.accessToken), 400, 'VALIDATION_ERROR'],
    ['PATCH', '/api/v1/users/me', { firstName: 'x'.repeat(101) }, bearer(session.accessToken), 400, 'VALIDATION_ERROR'],
    ['PATCH', '/api/v1/users/me', { lastName: ' \u00a0 ' }, bearer(session.accessToken), 400, 'VALIDATION_ERROR'],
    ['PATCH', '/api/v1/users/me', { lastName: '\u202egnp.exe' }, bearer(session.accessToken), 400, 'VALIDATION_ERROR'],
    ['PATCH', '/api/v1/users/me', { firstName: 5 }, bearer(session.accessToken), 400, 'VALIDATION_ERROR'],
    ['GET', '/api/v1/users/me', undefined, { authorization: 'Bearer \u00ff' }, 401, 'TOKEN_INVALID'],
    ['GET', '/api/v1/users/me', undefined, { authorization: 'Basic abc' }, 401, 'TOKEN_MISSING'],
    // Without a token the body is not judged: a stranger learns nothing of what a route accepts.
    ['POST', '/api/v1/users/me/phone', {}, {}, 401, 'TOKEN_MISSING'],
    ['PATCH', '/api/v1/users/me', { firstName: 5 }, {}, 401, 'TOKEN_MISSING'],
    ['POST', '/api/v1/auth/logout', { scope: 'everything' }, {}, 401, 'TOKEN_MISSING'],
  ]
  for (const [method, url, payload, headers, status, code] of cases) {
    const reply = await app.inject({
      method: method as 'POST',
      url,
      headers,
      ...(payload === undefined ? {} : { payload: payload as object }),
    })
    t.equal(reply.statusCode, status, `${method} ${url} ${JSON.stringify(payload)?.slice(0, 40)}`)
    t.equal(reply.json().code, code)
  }
  const names = await database.query<{ first_name: string | null }>("SELECT first_name FROM users WHERE email = 'bad-input@example.com'")
  t.same(names, [{ first_name: null }], 'nothing half-written')
})

t.test('database down: a fast 503 and not ready; back: recovers by itself', async (t) => {
  const proxy = await createTcpProxy(database.url)
  t.teardown(() => proxy.close())
  const proxied = await buildUserService(t, testEnv(proxy.url))
  const session = await login(proxied, { sub: 'outage@example.com' })
  await proxy.stop()
  const started = Date.now()
  const me = await proxied.inject({ method: 'GET', url: '/api/v1/users/me', headers: bearer(session.accessToken) })
  t.equal(me.statusCode, 503)
  t.equal(me.json().code, 'SERVICE_UNAVAILABLE')
  t.ok(Date.now() - started < 5000, 'fails fast')
  t.equal((await proxied.inject({ method: 'GET', url: '/health/ready' })).statusCode, 503)
  await proxy.start()
  t.equal((await proxied.inject({ method: 'GET', url: '/api/v1/users/me', headers: bearer(session.accessToken) })).statusCode, 200)
  t.equal((await proxied.inject({ method: 'GET', url: '/health/ready' })).statusCode, 200)
})

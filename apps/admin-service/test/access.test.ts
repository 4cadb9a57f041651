import t from 'tap'
import { ADMIN_PHONES, bearer, buildAdminService, servedCount, startUpstreams, testDatabase, testEnv, tokens } from './helpers.ts'

const database = await testDatabase(t)
const upstreams = await startUpstreams(t)
const app = await buildAdminService(t, testEnv(database.url, upstreams))
const INTROSPECTION = '/internal/v1/tokens/introspect/batch'
const metrics = (headers: Record<string, string> = {}) => app.inject({ method: 'GET', url: '/api/v1/admin/dashboard/metrics', headers })

t.test('no token is 401, a non-admin is 403 without asking user-service, an admin gets through', async (t) => {
  const missing = await metrics()
  t.equal(missing.statusCode, 401)
  t.equal(missing.json().code, 'TOKEN_MISSING')

  const user = await upstreams.signIn('+14155550100')
  t.equal(user.user.role, 'user')
  const introspections = await servedCount(upstreams.users, INTROSPECTION)
  const forbidden = await metrics(bearer(user.accessToken))
  t.equal(forbidden.statusCode, 403)
  t.equal(forbidden.json().code, 'FORBIDDEN')
  t.equal(await servedCount(upstreams.users, INTROSPECTION), introspections, 'no introspection for a non-admin')

  const admin = await upstreams.signIn(ADMIN_PHONES[0] as string)
  t.equal(admin.user.role, 'admin')
  const allowed = await metrics(bearer(admin.accessToken))
  t.equal(allowed.statusCode, 200)
  t.equal(await servedCount(upstreams.users, INTROSPECTION), introspections + 1, 'the admin token was introspected')
})

t.test('a request without a token learns nothing about the route: 401 before its body is read', async (t) => {
  const reply = await app.inject({
    method: 'POST',
    url: '/api/v1/admin/users/not-an-id/ban',
    headers: { 'content-type': 'text/plain' },
    payload: 'x',
  })
  t.equal(reply.statusCode, 401)
  t.equal(reply.json().code, 'TOKEN_MISSING')
})

t.test('tokens that are not live admin access tokens are refused', async (t) => {
  const admin = await upstreams.signIn(ADMIN_PHONES[1] as string)
  t.equal((await metrics(bearer(admin.accessToken))).statusCode, 200)

  for (const [name, token] of [
    ['a refresh token', admin.refreshToken],
    ['a service token', tokens.sign('service', { sub: 'admin-service' }).token],
    [
      'an admin token for a session user-service never made',
      tokens.sign('access', { sub: admin.user.id, role: 'admin', userType: 'live', sid: 'forged-session' }).token,
    ],
    ['garbage', 'not.a.token'],
  ] as const) {
    const reply = await metrics(bearer(token))
    t.equal(reply.statusCode, 401, name)
  }

  const logout = await fetch(`${upstreams.users.url}/api/v1/auth/logout`, {
    method: 'POST',
    headers: { ...bearer(admin.accessToken), 'content-type': 'application/json' },
    body: '{}',
  })
  t.equal(logout.status, 204)
  const revoked = await metrics(bearer(admin.accessToken))
  t.equal(revoked.statusCode, 401, 'refused from the moment logout answered')
  t.equal(revoked.json().code, 'TOKEN_REVOKED')

  const introspections = await servedCount(upstreams.users, INTROSPECTION)
  t.equal((await metrics(bearer(admin.accessToken))).json().code, 'TOKEN_REVOKED')
  t.equal(await servedCount(upstreams.users, INTROSPECTION), introspections, 'a revoked token is remembered')
})

t.test('an admin demoted in user-service is refused at once, though the token still says admin', async (t) => {
  const admin = await upstreams.signIn(ADMIN_PHONES[2] as string)
  t.equal((await metrics(bearer(admin.accessToken))).statusCode, 200)
  const demote = await fetch(`${upstreams.users.url}/internal/v1/users/${admin.user.id}`, {
    method: 'PATCH',
    headers: { ...bearer(tokens.sign('service', { sub: 'test' }).token), 'content-type': 'application/json' },
    body: JSON.stringify({ role: 'user' }),
  })
  t.equal(demote.status, 200)
  t.equal((await metrics(bearer(admin.accessToken))).statusCode, 401)
})

t.test('requests that arrive together share an introspection call, and each gets its own answer', async (t) => {
  // The one leaving is a second session of the first admin: only its token ends.
  const [first, second, leaving] = await Promise.all([0, 1, 0].map((i) => upstreams.signIn(ADMIN_PHONES[i] as string)))
  const logout = await fetch(`${upstreams.users.url}/api/v1/auth/logout`, {
    method: 'POST',
    headers: { ...bearer(leaving?.accessToken as string), 'content-type': 'application/json' },
    body: '{}',
  })
  t.equal(logout.status, 204)
  const before = await servedCount(upstreams.users, INTROSPECTION)
  const asked = Array.from({ length: 30 }, (_, i) => [first, second, leaving][i % 3]?.accessToken as string)
  const replies = await Promise.all(asked.map((token) => metrics(bearer(token))))
  t.same(
    replies.map((reply) => reply.statusCode),
    asked.map((token) => (token === leaving?.accessToken ? 401 : 200)),
    'the live admins get through, the one logged out is refused',
  )
  const calls = (await servedCount(upstreams.users, INTROSPECTION)) - before
  t.ok(calls >= 1 && calls < 5, `${asked.length} requests, ${calls} introspection calls`)
})

t.test('user-service down: a fast 503 UPSTREAM_UNAVAILABLE, not a hang', async (t) => {
  const down = await buildAdminService(t, testEnv(database.url, upstreams, { USER_SERVICE_URL: 'http://127.0.0.1:1' }))
  const admin = await upstreams.signIn(ADMIN_PHONES[0] as string)
  const started = Date.now()
  const reply = await down.inject({ method: 'GET', url: '/api/v1/admin/dashboard/metrics', headers: bearer(admin.accessToken) })
  t.equal(reply.statusCode, 503)
  t.equal(reply.json().code, 'UPSTREAM_UNAVAILABLE', reply.body)
  t.notMatch(reply.body, /ECONNREFUSED|127\.0\.0\.1/, 'no internals in the message')
  t.ok(Date.now() - started < 1000, `answered in ${Date.now() - started} ms`)
})

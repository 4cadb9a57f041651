import { request } from 'node:http'
import { createTcpProxy } from '@otp-suite/db/testing'
import { standIn } from '@otp-suite/testing'
import t, { type Test } from 'tap'
import { ADMIN_PHONES, bearer, buildAdminService, startUpstreams, testDatabase, testEnv, until } from './helpers.ts'

const database = await testDatabase(t)
const upstreams = await startUpstreams(t)
const admin = await upstreams.signIn(ADMIN_PHONES[0] as string)
const headers = bearer(admin.accessToken)
type App = Awaited<ReturnType<typeof buildAdminService>>
const get = (app: App, url: string) => app.inject({ method: 'GET', url, headers })
const ban = (app: App, id: string) =>
  app.inject({ method: 'POST', url: `/api/v1/admin/users/${id}/ban`, headers, payload: { reason: 'test' } })
const listening = async (app: App) => /^admin_cache_invalidation_listening 1$/m.test((await app.inject('/metrics')).body)
const statusIn = async (app: App, id: string) => (await get(app, `/api/v1/admin/users/${id}`)).json().status

t.test('the invalidation listener survives its database going away and coming back', async (t) => {
  const proxy = await createTcpProxy(database.url)
  t.teardown(() => proxy.close())
  const direct = await buildAdminService(t, testEnv(database.url, upstreams))
  const proxied = await buildAdminService(t, testEnv(proxy.url, upstreams))
  t.ok(await until(() => listening(proxied), 3000))
  const user = await upstreams.signIn('+14155550300')
  await get(proxied, `/api/v1/admin/users/${user.user.id}`)
  t.equal((await get(proxied, `/api/v1/admin/users/${user.user.id}`)).headers['x-cache'], 'HIT')

  await proxy.stop()
  t.ok(await until(async () => !(await listening(proxied)), 3000), 'the loss is noticed')
  t.equal((await get(proxied, `/api/v1/admin/users/${user.user.id}`)).headers['x-cache'], 'MISS', 'and the cache dropped')

  await proxy.start()
  t.ok(await until(() => listening(proxied), 6000), 'listening again')
  t.equal((await get(proxied, `/api/v1/admin/users/${user.user.id}`)).json().status, 'active')
  t.equal((await ban(direct, user.user.id)).statusCode, 200)
  t.ok(await until(async () => (await statusIn(proxied, user.user.id)) === 'banned', 1000), 'notices arrive again')
})

t.test('with its database down, an action is refused before it is carried out', async (t) => {
  const proxy = await createTcpProxy(database.url)
  t.teardown(() => proxy.close())
  const app = await buildAdminService(t, testEnv(proxy.url, upstreams))
  const user = await upstreams.signIn('+14155550301')
  await proxy.stop()
  const reply = await ban(app, user.user.id)
  t.equal(reply.statusCode, 503)
  t.equal(reply.json().code, 'SERVICE_UNAVAILABLE')
  await proxy.start()
  t.equal(await statusIn(app, user.user.id), 'active', 'not banned without its audit row')
})

/** user-service behind a relay that holds each answer for `holdMs(method, path)` (Infinity: for good). */
function relayedUsers(t: Test, holdMs: (method: string, path: string) => number) {
  const target = new URL(upstreams.users.url)
  const held = new Set<import('node:http').ServerResponse>()
  return standIn(t, (incoming, outgoing) => {
    const forwarded = request(
      { host: target.hostname, port: target.port, path: incoming.url, method: incoming.method, headers: incoming.headers },
      (answer) => {
        const ms = holdMs(incoming.method ?? '', incoming.url ?? '')
        if (ms === Number.POSITIVE_INFINITY) return held.add(outgoing)
        setTimeout(() => {
          outgoing.writeHead(answer.statusCode ?? 502, answer.headers)
          answer.pipe(outgoing)
        }, ms)
      },
    )
    incoming.pipe(forwarded)
  })
}

t.test('an upstream that takes a ban and never answers: 503, and an audit row marked unconfirmed', async (t) => {
  const app = await buildAdminService(
    t,
    testEnv(database.url, upstreams, {
      USER_SERVICE_URL: await relayedUsers(t, (method) => (method === 'PATCH' ? Number.POSITIVE_INFINITY : 0)),
      UPSTREAM_TIMEOUT_MS: '300',
    }),
  )
  const user = await upstreams.signIn('+14155550302')
  const reply = await ban(app, user.user.id)
  t.equal(reply.statusCode, 503)
  t.equal(reply.json().code, 'UPSTREAM_UNAVAILABLE')
  const [row] = await database.query<{ details: unknown }>('SELECT details FROM audit_log WHERE target_id = $1', [user.user.id])
  t.same(row?.details, { reason: 'test', outcome: 'unconfirmed' })
  t.equal(await statusIn(app, user.user.id), 'banned', 'it did take effect, as the row allows')
})

t.test('with one of two user-service instances gone, every call goes to the one left', async (t) => {
  const app = await buildAdminService(
    t,
    testEnv(database.url, upstreams, { USER_SERVICE_URL: `http://127.0.0.1:1, ${upstreams.users.url}` }),
  )
  const user = await upstreams.signIn('+14155550390')
  const statuses = []
  for (let i = 0; i < 4; i++) statuses.push((await get(app, `/api/v1/admin/users?limit=${i + 1}`)).statusCode)
  t.same(statuses, [200, 200, 200, 200], 'reads, whichever instance their turn starts with')
  t.equal((await ban(app, user.user.id)).statusCode, 200, 'and actions')
})

t.test('user-service that never answers: every admin request gets a 503 within the timeout of its own arrival', async (t) => {
  const timeoutMs = 1000
  const app = await buildAdminService(
    t,
    testEnv(database.url, upstreams, { USER_SERVICE_URL: await standIn(t, () => {}), UPSTREAM_TIMEOUT_MS: String(timeoutMs) }),
  )
  // More waves than calls may be out at once: the later ones wait behind calls that hang.
  const waves = await Promise.all(
    Array.from({ length: 8 }, async (_, wave) => {
      await new Promise((resolve) => setTimeout(resolve, wave * 50))
      const started = Date.now()
      const replies = await Promise.all(Array.from({ length: 3 }, () => get(app, '/api/v1/admin/dashboard/metrics')))
      return { codes: replies.map((reply) => `${reply.statusCode} ${reply.json().code}`), ms: Date.now() - started }
    }),
  )
  t.same(new Set(waves.flatMap((wave) => wave.codes)), new Set(['503 UPSTREAM_UNAVAILABLE']))
  const slowest = Math.max(...waves.map((wave) => wave.ms))
  t.ok(slowest < timeoutMs + 400, `the slowest wave was answered in ${slowest} ms`)
})

t.test('a request that comes while an introspection call is out waits for the next: a token logged out meanwhile is refused', async (t) => {
  const app = await buildAdminService(
    t,
    testEnv(database.url, upstreams, { USER_SERVICE_URL: await relayedUsers(t, (_, path) => (path.includes('introspect') ? 400 : 0)) }),
  )
  const leaving = await upstreams.signIn(ADMIN_PHONES[1] as string)
  const metrics = () => app.inject({ method: 'GET', url: '/api/v1/admin/dashboard/metrics', headers: bearer(leaving.accessToken) })
  const first = metrics()
  // The first call is out (its answer, "active", held by the relay) when the token is logged out.
  await new Promise((resolve) => setTimeout(resolve, 100))
  const logout = await fetch(`${upstreams.users.url}/api/v1/auth/logout`, {
    method: 'POST',
    headers: { ...bearer(leaving.accessToken), 'content-type': 'application/json' },
    body: '{}',
  })
  t.equal(logout.status, 204)
  const second = await metrics()
  t.equal((await first).statusCode, 200, 'the request that came before the logout was let through')
  t.equal(second.statusCode, 401, 'the one that came after it is refused')
  t.equal(second.json().code, 'TOKEN_REVOKED')
})

t.test('a user-service that refuses the batch or answers something else: 503 for the admin, never its 400 or a 500', async (t) => {
  const answers: [string, number, unknown][] = [
    ['refused as invalid', 400, { code: 'VALIDATION_ERROR', message: 'body/tokens/0 must NOT have more than 2048 characters' }],
    ['no results', 200, {}],
    ['results that are not a list', 200, { results: { active: true } }],
    ['fewer results than tokens', 200, { results: [] }],
  ]
  for (const [name, status, body] of answers) {
    const url = await standIn(t, (_, outgoing) =>
      outgoing.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body)),
    )
    const app = await buildAdminService(t, testEnv(database.url, upstreams, { USER_SERVICE_URL: url }))
    const reply = await get(app, '/api/v1/admin/dashboard/metrics')
    t.equal(`${reply.statusCode} ${reply.json().code}`, '503 UPSTREAM_UNAVAILABLE', name)
  }
})

import { createTcpProxy } from '@otp-suite/db/testing'
import t from 'tap'
import { ADMIN_PHONES, bearer, buildAdminService, servedCount, startUpstreams, testDatabase, testEnv, until } from './helpers.ts'

const database = await testDatabase(t)
const upstreams = await startUpstreams(t)
const admin = await upstreams.signIn(ADMIN_PHONES[0] as string)
const get = (app: Awaited<ReturnType<typeof buildAdminService>>, url: string) =>
  app.inject({ method: 'GET', url, headers: bearer(admin.accessToken) })
const otpStatsCalls = () => servedCount(upstreams.otp, '/internal/v1/stats')
const userStatsCalls = () => servedCount(upstreams.users, '/internal/v1/stats')

t.test('metrics: a miss, hits for the TTL, then a miss again', async (t) => {
  const app = await buildAdminService(t, testEnv(database.url, upstreams, { ADMIN_CACHE_TTL_METRICS: '1' }))
  const before = await otpStatsCalls()
  const first = await get(app, '/api/v1/admin/dashboard/metrics')
  t.equal(first.statusCode, 200)
  t.equal(first.headers['x-cache'], 'MISS')
  t.match(first.json(), { users: { total: Number }, otp: { sent: { last24h: Number, total: Number } }, sessions: { active: Number } })
  const second = await get(app, '/api/v1/admin/dashboard/metrics')
  t.equal(second.headers['x-cache'], 'HIT')
  t.equal(second.json().generatedAt, first.json().generatedAt)
  t.equal(await otpStatsCalls(), before + 1, 'one upstream call for both')

  await new Promise((resolve) => setTimeout(resolve, 1100))
  const third = await get(app, '/api/v1/admin/dashboard/metrics')
  t.equal(third.headers['x-cache'], 'MISS')
  t.not(third.json().generatedAt, first.json().generatedAt)
  t.equal(await otpStatsCalls(), before + 2)

  const exposed = await (await app.inject({ method: 'GET', url: '/metrics' })).body
  t.match(exposed, /admin_cache_lookups_total\{family="metrics",outcome="hit"\} 1/)
  t.match(exposed, /admin_cache_lookups_total\{family="metrics",outcome="miss"\} 2/)
  t.match(exposed, /admin_cache_entries 1/)
})

t.test('50 concurrent misses make one call to each upstream', async (t) => {
  const app = await buildAdminService(t, testEnv(database.url, upstreams))
  const [otpBefore, usersBefore] = [await otpStatsCalls(), await userStatsCalls()]
  const replies = await Promise.all(Array.from({ length: 50 }, () => get(app, '/api/v1/admin/dashboard/metrics')))
  t.same(new Set(replies.map((reply) => reply.statusCode)), new Set([200]))
  t.equal(new Set(replies.map((reply) => reply.json().generatedAt)).size, 1, 'all got the one answer')
  t.equal(await otpStatsCalls(), otpBefore + 1)
  t.equal(await userStatsCalls(), usersBefore + 1)
})

t.test('user lists are cached per query, whatever the order of its parameters; details per user', async (t) => {
  const app = await buildAdminService(t, testEnv(database.url, upstreams))
  const listCalls = () => servedCount(upstreams.users, '/internal/v1/users')
  const before = await listCalls()
  const first = await get(app, '/api/v1/admin/users?limit=5&status=active')
  t.equal(first.statusCode, 200)
  t.equal(first.headers['x-cache'], 'MISS')
  t.ok(first.json().items.some((user: { id: string }) => user.id === admin.user.id))
  t.equal((await get(app, '/api/v1/admin/users?status=active&limit=5')).headers['x-cache'], 'HIT')
  t.equal((await get(app, '/api/v1/admin/users?limit=6&status=active')).headers['x-cache'], 'MISS', 'another query')
  t.equal(await listCalls(), before + 2)

  const detail = await get(app, `/api/v1/admin/users/${admin.user.id}`)
  t.equal(detail.headers['x-cache'], 'MISS')
  t.equal(detail.json().id, admin.user.id)
  t.equal((await get(app, `/api/v1/admin/users/${admin.user.id}`)).headers['x-cache'], 'HIT')

  const detailCalls = () => servedCount(upstreams.users, '/internal/v1/users/:id')
  const detailsBefore = await detailCalls()
  const missing = await get(app, '/api/v1/admin/users/00000000-0000-4000-8000-000000000000')
  t.equal(missing.statusCode, 404)
  t.equal(missing.json().code, 'USER_NOT_FOUND', 'user-service’s answer passed on')
  t.equal((await get(app, '/api/v1/admin/users/00000000-0000-4000-8000-000000000000')).statusCode, 404)
  t.equal(await detailCalls(), detailsBefore + 2, 'a failure is not cached')
  const upper = await get(app, `/api/v1/admin/users/${admin.user.id.toUpperCase()}`)
  t.equal(upper.statusCode, 400, 'one spelling per user id, so one cache key')
})

t.test('otp-service down: the last metrics and series as STALE up to ADMIN_CACHE_MAX_STALE, then 503; back when it is', async (t) => {
  const proxy = await createTcpProxy(upstreams.otp.url)
  t.teardown(() => proxy.close())
  const app = await buildAdminService(
    t,
    testEnv(database.url, upstreams, { OTP_SERVICE_URL: proxy.url, ADMIN_CACHE_TTL_METRICS: '1', ADMIN_CACHE_MAX_STALE: '2' }),
  )
  const figures = ['/api/v1/admin/dashboard/metrics', '/api/v1/admin/dashboard/series']
  const getFigures = () => Promise.all(figures.map((url) => get(app, url)))
  const fresh = await getFigures()
  for (const reply of fresh) t.equal(reply.headers['x-cache'], 'MISS', reply.body)
  const fetchedAt = Date.now()
  await proxy.stop()
  const cold = await get(app, '/api/v1/admin/dashboard/series?range=30d')
  t.equal(cold.statusCode, 503, 'a series range never loaded has nothing to fall back on')
  t.equal(cold.json().code, 'UPSTREAM_UNAVAILABLE')

  await new Promise((resolve) => setTimeout(resolve, 1100))
  for (const [index, stale] of (await getFigures()).entries()) {
    t.equal(stale.statusCode, 200, figures[index] as string)
    t.equal(stale.headers['x-cache'], 'STALE')
    t.equal(stale.json().generatedAt, fresh[index]?.json().generatedAt)
  }

  await new Promise((resolve) => setTimeout(resolve, fetchedAt + 3100 - Date.now()))
  for (const gone of await getFigures()) {
    t.equal(gone.statusCode, 503)
    t.equal(gone.json().code, 'UPSTREAM_UNAVAILABLE')
    t.match(gone.json().message, /otp-service/)
  }

  await proxy.start()
  t.ok(await until(async () => (await getFigures()).every((reply) => reply.statusCode === 200), 3000), 'recovers by itself')
  const exposed = await (await app.inject({ method: 'GET', url: '/metrics' })).body
  t.match(exposed, /admin_cache_lookups_total\{family="metrics",outcome="stale"\} 1/)
  t.match(exposed, /admin_cache_lookups_total\{family="series",outcome="stale"\} 1/)
})

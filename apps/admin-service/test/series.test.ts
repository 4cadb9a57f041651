import t from 'tap'
import { ADMIN_PHONES, bearer, buildAdminService, servedCount, startUpstreams, testDatabase, testEnv } from './helpers.ts'

const database = await testDatabase(t)
const upstreams = await startUpstreams(t)
const admin = await upstreams.signIn(ADMIN_PHONES[0] as string)
type App = Awaited<ReturnType<typeof buildAdminService>>
const get = (app: App, url: string, token = admin.accessToken) => app.inject({ method: 'GET', url, headers: bearer(token) })
const seriesCalls = async () =>
  [await servedCount(upstreams.otp, '/internal/v1/stats/series'), await servedCount(upstreams.users, '/internal/v1/stats/series')] as const

// Two codes sent, a second user signed in and out: with the admin's sign-in, what the current interval holds.
for (const to of ['+14155550800', '+14155550801']) {
  const sent = await fetch(`${upstreams.otp.url}/api/v1/otp/send`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ channel: 'sms', to, purpose: 'login' }),
  })
  if (sent.status !== 202) throw new Error(`send: ${sent.status} ${await sent.text()}`)
}
const user = await upstreams.signIn('+14155550802')
const logout = await fetch(`${upstreams.users.url}/api/v1/auth/logout`, {
  method: 'POST',
  headers: { ...bearer(user.accessToken), 'content-type': 'application/json' },
  body: '{}',
})
if (logout.status !== 204) throw new Error(`logout: ${logout.status}`)
const current = {
  otp: { sent: 2, verified: 0, failed: 0, locked: 0, expired: 0 },
  users: { new: 2 },
  sessions: { signIns: 2, logouts: 1 },
}

t.test('both services’ series, point by point: a miss, then hits for the TTL, one entry per range', async (t) => {
  const app = await buildAdminService(t, testEnv(database.url, upstreams))
  const before = await seriesCalls()
  const first = await get(app, '/api/v1/admin/dashboard/series')
  t.equal(first.statusCode, 200, first.body)
  t.equal(first.headers['x-cache'], 'MISS')
  const hours = first.json()
  t.match(hours, { range: '24h', interval: 'hour', generatedAt: String })
  t.equal(hours.points.length, 24)
  const thisHour = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000).toISOString()
  t.same(hours.points.at(-1), { start: thisHour, ...current }, 'the current hour last, with the counts of both services')
  const empty = { otp: { ...current.otp, sent: 0 }, users: { new: 0 }, sessions: { signIns: 0, logouts: 0 } }
  t.same(hours.points.at(-2), { start: new Date(Date.parse(thisHour) - 3_600_000).toISOString(), ...empty }, 'an hour before, zeros')

  const second = await get(app, '/api/v1/admin/dashboard/series?range=24h')
  t.equal(second.headers['x-cache'], 'HIT', 'the default range is 24h, one entry')
  t.equal(second.json().generatedAt, hours.generatedAt)

  const days = await get(app, '/api/v1/admin/dashboard/series?range=30d')
  t.equal(days.headers['x-cache'], 'MISS', 'another range, another entry')
  t.match(days.json(), { range: '30d', interval: 'day' })
  t.equal(days.json().points.length, 30)
  t.same(days.json().points.at(-1), { start: new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000).toISOString(), ...current })
  t.equal((await get(app, '/api/v1/admin/dashboard/series?range=30d')).headers['x-cache'], 'HIT')

  const after = await seriesCalls()
  t.same([after[0] - before[0], after[1] - before[1]], [2, 2], 'one call to each service per range')
  t.match((await app.inject('/metrics')).body, /admin_cache_lookups_total\{family="series",outcome="hit"\} 2/)

  t.equal(
    (
      await app.inject({
        method: 'POST',
        url: '/api/v1/admin/cache/invalidate',
        headers: bearer(admin.accessToken),
        payload: { prefix: 'series' },
      })
    ).statusCode,
    204,
  )
  t.equal((await get(app, '/api/v1/admin/dashboard/series')).headers['x-cache'], 'MISS', 'dropped by its prefix')
})

t.test('admins only; a range it does not know is refused', async (t) => {
  const app = await buildAdminService(t, testEnv(database.url, upstreams))
  const missing = await app.inject({ method: 'GET', url: '/api/v1/admin/dashboard/series' })
  t.equal(missing.statusCode, 401)
  t.equal(missing.json().code, 'TOKEN_MISSING')
  const plain = await upstreams.signIn('+14155550803')
  const before = await seriesCalls()
  for (const range of ['24h', '30d']) {
    const forbidden = await get(app, `/api/v1/admin/dashboard/series?range=${range}`, plain.accessToken)
    t.equal(forbidden.statusCode, 403)
    t.equal(forbidden.json().code, 'FORBIDDEN')
  }

  const bad = await get(app, '/api/v1/admin/dashboard/series?range=7d')
  t.equal(bad.statusCode, 400)
  t.match(bad.json(), { code: 'VALIDATION_ERROR', message: /range/ })
  t.same(await seriesCalls(), before, 'nothing asked of the services')
})

import t from 'tap'
import { bearer, buildUserService, login, proofFor, serviceToken, testDatabase, testEnv } from './helpers.ts'

const database = await testDatabase(t)
// No flush but the route's own (and the one at close): what the series shows was flushed by asking.
const app = await buildUserService(t, testEnv(database.url, { USER_STATS_FLUSH_SECONDS: '0' }))
const asService = { authorization: `Bearer ${serviceToken()}` }

type Point = { start: string; newUsers: number; signIns: number; logouts: number }
const series = async (query = '') => {
  const reply = await app.inject({ method: 'GET', url: `/internal/v1/stats/series${query}`, headers: asService })
  t.equal(reply.statusCode, 200, reply.body)
  return reply.json() as { range: string; interval: string; points: Point[] }
}
const thisHour = async () => (await series()).points.at(-1) as Point

t.test('the series: behind a service token, 24 hours by default', async (t) => {
  const user = await login(app, { sub: '+14155550700' })
  for (const headers of [{}, bearer(user.accessToken)]) {
    t.equal((await app.inject({ method: 'GET', url: '/internal/v1/stats/series', headers })).statusCode, 401)
  }
  const hours = await series()
  t.equal(hours.range, '24h')
  t.equal(hours.interval, 'hour')
  t.equal(hours.points.length, 24)
  t.equal(hours.points.at(-1)?.start, new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000).toISOString(), 'the current hour last')
})

t.test('signing in and logging out move the current hour; a user is new once', async (t) => {
  const before = await thisHour()
  const first = await login(app, { sub: 'counted@example.com' })
  t.same(await thisHour(), { ...before, newUsers: before.newUsers + 1, signIns: before.signIns + 1 }, 'a first sign-in makes a new user')

  const second = await login(app, { sub: 'counted@example.com' })
  t.same(await thisHour(), { ...before, newUsers: before.newUsers + 1, signIns: before.signIns + 2 }, 'signing in again is not new')

  const logout = (token: string, scope: 'local' | 'global') =>
    app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: bearer(token), payload: { scope } })
  t.equal((await logout(first.accessToken, 'local')).statusCode, 204)
  t.equal((await logout(second.accessToken, 'global')).statusCode, 204)
  t.same(
    await thisHour(),
    { ...before, newUsers: before.newUsers + 1, signIns: before.signIns + 2, logouts: before.logouts + 2 },
    'each logout counts once',
  )
  t.equal((await logout(second.accessToken, 'local')).statusCode, 401)
  t.equal((await thisHour()).logouts, before.logouts + 2, 'a refused logout does not count')
})

t.test('what is not a sign-in does not count as one: a proof used again, a banned user', async (t) => {
  const signIn = (proof: string) => app.inject({ method: 'POST', url: '/api/v1/auth/otp/login', payload: { proof } })
  const proof = proofFor({ sub: '+14155550701' })
  const user = (await signIn(proof)).json()
  const before = await thisHour()
  t.equal((await signIn(proof)).json().code, 'PROOF_INVALID')
  const ban = await app.inject({
    method: 'PATCH',
    url: `/internal/v1/users/${user.user.id}`,
    headers: asService,
    payload: { status: 'banned' },
  })
  t.equal(ban.statusCode, 200)
  t.equal((await signIn(proofFor({ sub: '+14155550701' }))).json().code, 'USER_BANNED')
  t.same(await thisHour(), before)
})

t.test('counts by the sign-in’s channel: phone or email; logouts under none', async (t) => {
  const rows = await database.query<{ kind: string; channel: string; n: number }>(
    'SELECT kind, channel, sum(count)::int AS n FROM user_stats GROUP BY kind, channel ORDER BY kind, channel',
  )
  t.same(rows, [
    { kind: 'logout', channel: '', n: 2 },
    { kind: 'newUser', channel: 'email', n: 1 },
    { kind: 'newUser', channel: 'phone', n: 2 },
    { kind: 'signIn', channel: 'email', n: 2 },
    { kind: 'signIn', channel: 'phone', n: 2 },
  ])
})

t.test('30 days: one point a day, today last; a range it does not know is refused', async (t) => {
  const days = await series('?range=30d')
  t.equal(days.interval, 'day')
  t.equal(days.points.length, 30)
  t.equal(days.points.at(-1)?.start, new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000).toISOString())
  t.equal(days.points.at(-1)?.newUsers, 3)

  const bad = await app.inject({ method: 'GET', url: '/internal/v1/stats/series?range=1y', headers: asService })
  t.equal(bad.statusCode, 400)
  t.match(bad.json(), { code: 'VALIDATION_ERROR', message: /range/ })
})

t.test('counts still in memory reach the database when the service closes', async (t) => {
  const own = await testDatabase(t)
  const instance = await buildUserService(t, testEnv(own.url, { USER_STATS_FLUSH_SECONDS: '0' }))
  await login(instance, { sub: '+14155550702' })
  t.same(await own.query('SELECT count(*)::int AS n FROM user_stats'), [{ n: 0 }], 'not flushed yet')
  await instance.close()
  t.same(await own.query('SELECT kind, count::int FROM user_stats ORDER BY kind'), [
    { kind: 'newUser', count: 1 },
    { kind: 'signIn', count: 1 },
  ])
})

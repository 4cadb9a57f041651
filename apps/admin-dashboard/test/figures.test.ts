import t from 'tap'
import { chartColumns, freshness, type Metrics, percent, rates } from '../src/lib/figures.ts'

const count = (last24h: number) => ({ last24h, total: last24h * 10 })
const metrics = (otp: Partial<Record<keyof Metrics['otp'], number>>): Metrics => ({
  users: { total: 0, live: 0, demo: 0, banned: 0, newLast24h: 0 },
  sessions: { active: 0, logoutsLast24h: 0 },
  otp: {
    sent: count(otp.sent ?? 0),
    verified: count(otp.verified ?? 0),
    failed: count(otp.failed ?? 0),
    locked: count(otp.locked ?? 0),
    expired: count(otp.expired ?? 0),
  },
  generatedAt: new Date().toISOString(),
})

t.test('success is verified of sent; failure is wrong of the guesses', async (t) => {
  t.same(rates(metrics({ sent: 8, verified: 6, failed: 2 })), { success: '75.0 %', failure: '25.0 %' })
  t.same(rates(metrics({})), { success: '–', failure: '–' }, 'nothing sent is no rate, not 0 % or NaN')
  t.equal(percent(1, 3), '33.3 %')
})

t.test('freshness says where the figures came from and how old they are', async (t) => {
  const now = Date.parse('2026-01-01T12:00:00Z')
  const at = (secondsAgo: number) => new Date(now - secondsAgo * 1000).toISOString()
  t.same(freshness('MISS', at(0), now), { stale: false, text: 'Generated 0 s ago.' })
  t.same(freshness('HIT', at(12), now), { stale: false, text: 'Generated 12 s ago, from the cache.' })
  t.same(freshness('HIT', at(600), now), { stale: false, text: 'Generated 10 min ago, from the cache.' })
  const stale = freshness('STALE', at(95), now)
  t.ok(stale.stale)
  t.match(stale.text, /^Figures from 95 s ago: a service is not answering/)
  t.same(freshness(null, at(-3), now).text, 'Generated 0 s ago.', 'a clock a little ahead is not "in the future"')
})

t.test('chart columns: the starts in seconds, then one column per value', async (t) => {
  const points = [
    { start: '2026-01-01T10:00:00.000Z', a: 1, b: 5 },
    { start: '2026-01-01T11:00:00.000Z', a: 2, b: 0 },
  ]
  t.same(chartColumns(points, [(p) => p.a, (p) => p.b]), [
    [Date.parse(points[0]!.start) / 1000, Date.parse(points[1]!.start) / 1000],
    [1, 2],
    [5, 0],
  ])
})

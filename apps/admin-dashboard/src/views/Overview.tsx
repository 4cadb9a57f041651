import { useMemo, useState } from 'preact/hooks'
import { Chart, Loading, useNow } from '../components.tsx'
import { type Loaded, useLoad } from '../hooks.ts'
import { chartColumns, freshness, type Metrics, rates, type Series } from '../lib/figures.ts'

const codes = { labels: ['Sent', 'Verified', 'Wrong', 'Expired'], colors: ['#2563eb', '#16a34a', '#dc2626', '#a16207'] }
const people = { labels: ['New users', 'Sign-ins', 'Logouts'], colors: ['#7c3aed', '#0891b2', '#64748b'] }

type Point = Series['points'][number]
const codeValues = [(p: Point) => p.otp.sent, (p: Point) => p.otp.verified, (p: Point) => p.otp.failed, (p: Point) => p.otp.expired]
const peopleValues = [(p: Point) => p.users.new, (p: Point) => p.sessions.signIns, (p: Point) => p.sessions.logouts]

/** How old the figures are, by the server's clock (the browser's may be off). */
function Freshness({ loaded, generatedAt }: { loaded: Loaded<unknown>; generatedAt: string }) {
  const now = useNow()
  if (loaded.state !== 'done') return null
  const { stale, text } = freshness(loaded.cache, generatedAt, loaded.serverTime + (now - loaded.loadedAt))
  return <p class={stale ? 'problem down' : 'note'}>{text}</p>
}

function Figures({ metrics }: { metrics: Metrics }) {
  const { users, otp, sessions } = metrics
  const rate = rates(metrics)
  const figures: [string, number | string][] = [
    ['Users', users.total],
    ['Live', users.live],
    ['Demo', users.demo],
    ['Banned', users.banned],
    ['New in 24 h', users.newLast24h],
    ['Active sessions', sessions.active],
    ['Logouts in 24 h', sessions.logoutsLast24h],
    ['Codes sent in 24 h', otp.sent.last24h],
    ['Verified in 24 h', otp.verified.last24h],
    ['Wrong codes in 24 h', otp.failed.last24h],
    ['Locked in 24 h', otp.locked.last24h],
    ['Expired in 24 h', otp.expired.last24h],
    ['Success rate', rate.success],
    ['Failure rate', rate.failure],
    ['Codes sent, all time', otp.sent.total],
  ]
  return (
    <dl class="figures">
      {figures.map(([label, value]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  )
}

function Charts({ series }: { series: Series }) {
  const columns = useMemo(
    () => ({ codes: chartColumns(series.points, codeValues), people: chartColumns(series.points, peopleValues) }),
    [series],
  )
  const per = series.interval === 'hour' ? 'per hour' : 'per day'
  const quiet = columns.codes
    .slice(1)
    .concat(columns.people.slice(1))
    .every((column) => column.every((value) => value === 0))
  return (
    <div class="charts">
      {quiet && <p class="empty">No activity in this period yet.</p>}
      <Chart title={`Codes, ${per}`} {...codes} columns={columns.codes} />
      <Chart title={`Users and sessions, ${per}`} {...people} columns={columns.people} />
    </div>
  )
}

/** The dashboard's figures, and the charts of the last 24 hours or 30 days. */
export function Overview() {
  const [range, setRange] = useState<'24h' | '30d'>('24h')
  const [metrics, reloadMetrics] = useLoad((suite) => suite.api.GET('/api/v1/admin/dashboard/metrics'), [])
  const [series, reloadSeries] = useLoad(
    (suite) => suite.api.GET('/api/v1/admin/dashboard/series', { params: { query: { range } } }),
    [range],
  )
  return (
    <main>
      <div class="title">
        <h1>Overview</h1>
        <button
          type="button"
          onClick={() => {
            reloadMetrics()
            reloadSeries()
          }}
        >
          Refresh
        </button>
      </div>
      <Loading loaded={metrics} retry={reloadMetrics}>
        {(data) => (
          <section aria-label="Figures">
            <Freshness loaded={metrics} generatedAt={data.generatedAt} />
            <Figures metrics={data} />
          </section>
        )}
      </Loading>
      <section aria-labelledby="over-time">
        <div class="title">
          <h2 id="over-time">Over time</h2>
          <label>
            Range{' '}
            <select value={range} onChange={(event) => setRange(event.currentTarget.value as '24h' | '30d')}>
              <option value="24h">Last 24 hours</option>
              <option value="30d">Last 30 days</option>
            </select>
          </label>
        </div>
        <Loading loaded={series} retry={reloadSeries}>
          {(data) => (
            <>
              {series.state === 'done' && series.cache === 'STALE' && <Freshness loaded={series} generatedAt={data.generatedAt} />}
              <Charts series={data} />
            </>
          )}
        </Loading>
      </section>
    </main>
  )
}

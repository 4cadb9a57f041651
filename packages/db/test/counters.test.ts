import { join } from 'node:path'
import pg from 'pg'
import t, { type Test } from 'tap'
import { counterSeries, createCounterRecorder, createPool, foldOldMinutes } from '../index.ts'
import { createTcpProxy, createTestDatabase } from '../testing.ts'

const database = await createTestDatabase({
  migrationsDir: join(import.meta.dirname, 'fixture', 'prisma', 'migrations'),
  prefix: 'counters',
})
const pool = new pg.Pool({ connectionString: database.url, max: 4 })
t.teardown(async () => {
  await pool.end()
  await database.drop()
})

let tables = 0
/** A new counts table, shaped as the services' are. */
async function countsTable() {
  const table = `counts_${++tables}`
  await pool.query(`CREATE TABLE ${table} (
    bucket timestamptz(0) NOT NULL, kind varchar(16) NOT NULL, channel varchar(8) NOT NULL, count bigint NOT NULL,
    PRIMARY KEY (bucket, kind, channel))`)
  return table
}

/** A pool of its own, as another instance of a service has; ended when the test ends. */
function instancePool(t: Test, url = database.url) {
  const own = createPool({ connectionString: url, max: 2, connectionTimeoutMillis: 500 })
  t.teardown(() => own.end())
  return own
}

const totals = async (table: string) =>
  (
    await pool.query<{ kind: string; channel: string; n: number }>(
      `SELECT kind, channel, sum(count)::int AS n FROM ${table} GROUP BY kind, channel ORDER BY kind, channel`,
    )
  ).rows

const quiet = { warn() {} }

t.test('the recorder: counts add up across flushes, in rows of the current minute', async (t) => {
  const table = await countsTable()
  const counts = createCounterRecorder<'signIn' | 'logout'>(pool, table, quiet)
  await counts.flush()
  t.same(await totals(table), [], 'nothing to flush, nothing written')

  counts.record('signIn', 'phone')
  counts.record('signIn', 'phone')
  counts.record('logout', '')
  await counts.flush()
  counts.record('signIn', 'phone')
  counts.record('signIn', 'email')
  await counts.flush()
  await counts.flush()
  t.same(await totals(table), [
    { kind: 'logout', channel: '', n: 1 },
    { kind: 'signIn', channel: 'email', n: 1 },
    { kind: 'signIn', channel: 'phone', n: 3 },
  ])
  const { rows } = await pool.query<{ minutes: boolean }>(
    `SELECT bool_and(bucket = date_trunc('minute', bucket) AND bucket > now() - interval '2 minutes') AS minutes FROM ${table}`,
  )
  t.ok(rows[0]?.minutes, 'each row is a minute of now')
})

t.test('the recorder: a failed flush keeps its counts for the next one', async (t) => {
  const table = await countsTable()
  const proxy = await createTcpProxy(database.url)
  t.teardown(() => proxy.close())
  const warnings: object[] = []
  const counts = createCounterRecorder<'sent'>(instancePool(t, proxy.url), table, { warn: (details) => warnings.push(details) })

  counts.record('sent', 'sms')
  counts.record('sent', 'email')
  await proxy.stop()
  await t.rejects(counts.flush(), 'the failure is the caller’s to see')
  t.match(warnings, [{ table, err: Error }], 'and it is logged')
  counts.record('sent', 'sms')
  await proxy.start()
  await counts.flush()
  const expected = [
    { kind: 'sent', channel: 'email', n: 1 },
    { kind: 'sent', channel: 'sms', n: 2 },
  ]
  t.same(await totals(table), expected, 'nothing counted before or during the outage is lost')
  await counts.flush()
  t.same(await totals(table), expected, 'and nothing is added twice')
})

t.test('the recorder: two instances count into one table', async (t) => {
  const table = await countsTable()
  const instances = [instancePool(t), instancePool(t)].map((own) => createCounterRecorder<'sent'>(own, table, quiet))
  for (const [i, counts] of instances.entries()) for (let n = 0; n <= i * 2; n++) counts.record('sent', 'sms')
  await Promise.all(instances.map((counts) => counts.flush()))
  instances[0]?.record('sent', 'sms')
  await Promise.all(instances.map((counts) => counts.flush()))
  t.same(await totals(table), [{ kind: 'sent', channel: 'sms', n: 5 }])
})

t.test('a table name that is not a plain identifier is refused', async (t) => {
  t.throws(() => createCounterRecorder(pool, 'counts; DROP TABLE accounts', quiet), /Not a counter table name/)
  await t.rejects(foldOldMinutes(pool, 'Counts"', 10), /Not a counter table name/)
  await t.rejects(counterSeries(pool, '', { interval: 'hour', points: 24 }, { sent: 'sent' }), /Not a counter table name/)
})

t.test('the fold: minutes older than two days become their day, recent minutes stay; instances share the work', async (t) => {
  const table = await countsTable()
  const oldDay = `date_trunc('day', now() - interval '3 days', 'UTC')`
  await pool.query(`
    INSERT INTO ${table} (bucket, kind, channel, count)
    SELECT ${oldDay} + make_interval(mins => i), 'sent', 'sms', i FROM generate_series(1, 9) i
    UNION ALL SELECT ${oldDay}, 'sent', 'sms', 100
    UNION ALL SELECT ${oldDay} + interval '5 hours', 'sent', 'email', 7
    UNION ALL SELECT date_trunc('minute', now()) - make_interval(mins => i), 'sent', 'sms', 1 FROM generate_series(1, 3) i
    UNION ALL SELECT date_trunc('minute', now()) - interval '47 hours', 'sent', 'sms', 1`)

  const batchSize = 2
  const foldAll = async (own: pg.Pool) => {
    let handled = 0
    for (let rows = batchSize; rows >= batchSize; handled += rows) rows = await foldOldMinutes(own, table, batchSize)
    return handled
  }
  const handled = await Promise.all([foldAll(instancePool(t)), foldAll(instancePool(t))])
  t.equal(handled[0] + handled[1], 10, 'each old minute folded once, by one instance')
  t.same(
    (await pool.query(`SELECT channel, count::int FROM ${table} WHERE bucket < now() - interval '2 days' ORDER BY channel`)).rows,
    [
      { channel: 'email', count: 7 },
      { channel: 'sms', count: 145 },
    ],
    'one row per day and channel, added to the day row already there',
  )
  const { rows } = await pool.query(`SELECT count(*)::int AS n FROM ${table} WHERE bucket >= now() - interval '2 days'`)
  t.same(rows, [{ n: 4 }], 'the last two days keep their minutes')
  t.equal(await foldOldMinutes(pool, table, batchSize), 0, 'nothing left to fold')
})

t.test('the series: 24 hourly or 30 daily points, zeros for gaps, the current interval last', async (t) => {
  const table = await countsTable()
  const hour = `date_trunc('hour', now(), 'UTC')`
  const day = `date_trunc('day', now(), 'UTC')`
  await pool.query(`
    INSERT INTO ${table} (bucket, kind, channel, count) VALUES
      (date_trunc('minute', now()), 'signIn', 'phone', 2),
      (date_trunc('minute', now()), 'logout', '', 1),
      (${hour} - interval '5 hours' + interval '7 minutes', 'signIn', 'phone', 4),
      (${hour} - interval '5 hours' + interval '59 minutes', 'signIn', 'email', 3),
      (${hour} - interval '24 hours', 'signIn', 'phone', 50),
      (${hour} - interval '2 hours', 'unnamed', '', 9),
      (${day} - interval '29 days', 'newUser', 'email', 6),
      (${day} - interval '30 days', 'newUser', 'email', 70)`)
  const fields = { signIns: 'signIn', logouts: 'logout', newUsers: 'newUser' }
  const zero = { signIns: 0, logouts: 0, newUsers: 0 }

  const hours = await counterSeries(pool, table, { interval: 'hour', points: 24 }, fields)
  t.equal(hours.length, 24)
  const now = Date.now()
  const thisHour = Math.floor(now / 3_600_000) * 3_600_000
  const hourAgo = (n: number) => new Date(thisHour - n * 3_600_000).toISOString()
  t.same(
    hours.map((point) => point.start),
    Array.from({ length: 24 }, (_, i) => hourAgo(23 - i)),
    'every hour of the last 24, the current one last',
  )
  t.same(hours.at(-1), { start: hourAgo(0), ...zero, signIns: 2, logouts: 1 }, 'this hour so far')
  t.same(hours.at(-6), { start: hourAgo(5), ...zero, signIns: 7 }, 'every channel added up, to the interval’s last minute')
  t.same(hours.at(-3), { start: hourAgo(2), ...zero }, 'a kind not asked for is left out')
  t.equal(hours.filter((point) => JSON.stringify(point) === JSON.stringify({ ...point, ...zero })).length, 22, 'the rest zeros')

  // Another session time zone (with daylight saving time) cuts the same UTC days.
  const elsewhere = new pg.Pool({ connectionString: database.url, max: 1, options: '-c TimeZone=America/New_York' })
  t.teardown(() => elsewhere.end())
  const days = await counterSeries(elsewhere, table, { interval: 'day', points: 30 }, fields)
  const today = Math.floor(now / 86_400_000) * 86_400_000
  t.same(
    days.map((point) => point.start),
    Array.from({ length: 30 }, (_, i) => new Date(today - (29 - i) * 86_400_000).toISOString()),
    'every UTC day of the last 30, today last',
  )
  t.same(days[0], { start: new Date(today - 29 * 86_400_000).toISOString(), ...zero, newUsers: 6 }, 'the 30th day back is in')
  t.equal(
    days.reduce((sum, point) => sum + point.newUsers, 0),
    6,
    'the 31st is not',
  )
  // Five hours ago was today from 05:00 UTC on; 24 hours ago never is.
  t.equal(days.at(-1)?.signIns, new Date(now).getUTCHours() >= 5 ? 9 : 2, 'today so far')
})

import pg from 'pg'

/**
 * Counters kept per minute in a table of the service's own, shaped like
 *
 *   CREATE TABLE <name> (bucket timestamptz, kind text, channel text, count bigint,
 *                        PRIMARY KEY (bucket, kind, channel))
 *
 * Each instance counts in memory and adds its counts to the minute rows every few seconds, so hot
 * paths never contend on a counter row; minutes older than two days are folded into one row per
 * day (UTC); a series reads them back per hour or per day. The table name is a constant of the
 * calling service, never input: it is checked and quoted here all the same.
 */

type Queryable = Pick<pg.Pool, 'query'>

/** The one logger call the recorder makes (pino's and Fastify's loggers have it). */
export type CounterLog = { warn(details: object, message: string): void }

function quotedTable(table: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(table)) throw new Error(`Not a counter table name: ${JSON.stringify(table)}`)
  return pg.escapeIdentifier(table)
}

/** Adds rows to the counts already there: the statement every write of counts ends with. */
const addTo = (table: string) => `ON CONFLICT (bucket, kind, channel) DO UPDATE SET count = ${table}.count + excluded.count`

/**
 * Counts in memory by minute, kind and channel; `flush` adds them to `table` in one statement. A
 * flush that fails keeps its counts for the next one (and rethrows), so what a crash can lose is
 * one flush interval of counts, nothing else.
 */
export function createCounterRecorder<Kind extends string>(pool: Queryable, table: string, log: CounterLog) {
  const quoted = quotedTable(table)
  const text = `INSERT INTO ${quoted} (bucket, kind, channel, count)
    SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::bigint[])
    ${addTo(quoted)}`
  let pending = new Map<string, number>()

  const keyOf = (kind: Kind, channel: string) => `${Math.floor(Date.now() / 60_000) * 60_000}\t${kind}\t${channel}`

  return {
    record(kind: Kind, channel: string) {
      const key = keyOf(kind, channel)
      pending.set(key, (pending.get(key) ?? 0) + 1)
    },

    async flush() {
      if (pending.size === 0) return
      const batch = pending
      pending = new Map()
      const rows = [...batch].map(([key, count]) => [...key.split('\t'), count] as const)
      try {
        await pool.query({
          name: `${table}_flush`,
          text,
          values: [
            rows.map(([minute]) => new Date(Number(minute))),
            rows.map(([, kind]) => kind),
            rows.map(([, , channel]) => channel),
            rows.map(([, , , count]) => count),
          ],
        })
      } catch (error) {
        for (const [key, count] of batch) pending.set(key, (pending.get(key) ?? 0) + count)
        log.warn({ err: error, table }, 'Statistics not saved yet; kept for the next flush')
        throw error
      }
    },
  }
}

export type CounterRecorder<Kind extends string> = ReturnType<typeof createCounterRecorder<Kind>>

/**
 * Folds up to `batchSize` minute rows older than two days into their day's row (midnight UTC),
 * taken with SKIP LOCKED so instances running it at once share the work; returns how many minute
 * rows it folded. Minutes only matter for "the last 24 hours"; days are enough after that.
 */
export async function foldOldMinutes(pool: Queryable, table: string, batchSize: number): Promise<number> {
  const quoted = quotedTable(table)
  const { rows } = await pool.query<{ handled: number }>(
    `WITH folded AS (
      DELETE FROM ${quoted} WHERE (bucket, kind, channel) IN (
        SELECT bucket, kind, channel FROM ${quoted}
        WHERE bucket < now() - interval '2 days' AND bucket <> date_trunc('day', bucket, 'UTC')
        LIMIT $1 FOR UPDATE SKIP LOCKED)
      RETURNING bucket, kind, channel, count),
    added AS (
      INSERT INTO ${quoted} (bucket, kind, channel, count)
      SELECT date_trunc('day', bucket, 'UTC'), kind, channel, sum(count) FROM folded GROUP BY 1, 2, 3
      ${addTo(quoted)})
    SELECT count(*)::int AS handled FROM folded`,
    [batchSize],
  )
  return rows[0]?.handled ?? 0
}

/** How a series is cut: `points` intervals of an hour or a day (UTC), the current one last. */
export type SeriesSpan = { interval: 'hour' | 'day'; points: number }

export type SeriesPoint<Field extends string> = { start: string } & Record<Field, number>

/**
 * The counts of `table` per interval of `span`, every channel added up, an interval without counts
 * as zeros. `fields` names each point's fields after the kinds they count ({ signIns: 'signIn' });
 * kinds it does not name are left out.
 */
export async function counterSeries<Field extends string>(
  pool: Queryable,
  table: string,
  { interval, points }: SeriesSpan,
  fields: Record<Field, string>,
): Promise<SeriesPoint<Field>[]> {
  const quoted = quotedTable(table)
  // The intervals are made in UTC as timestamps without a zone, so a day is 24 hours whatever the
  // session's time zone.
  const { rows } = await pool.query<{ start: Date; kind: string | null; count: number }>(
    `WITH buckets AS (
      SELECT start AT TIME ZONE 'UTC' AS start, (start + $3::interval) AT TIME ZONE 'UTC' AS until
      FROM generate_series(
        date_trunc($1, now() AT TIME ZONE 'UTC') - $2::interval,
        date_trunc($1, now() AT TIME ZONE 'UTC'),
        $3::interval) AS start)
    SELECT b.start, s.kind, coalesce(sum(s.count), 0)::int AS count
    FROM buckets b LEFT JOIN ${quoted} s ON s.bucket >= b.start AND s.bucket < b.until AND s.kind = ANY($4::text[])
    GROUP BY b.start, s.kind ORDER BY b.start`,
    [interval, `${points - 1} ${interval}s`, `1 ${interval}`, Object.values(fields)],
  )
  const names = Object.entries(fields) as [Field, string][]
  const byStart = new Map<string, SeriesPoint<Field>>()
  for (const { start, kind, count } of rows) {
    const key = start.toISOString()
    let point = byStart.get(key)
    if (!point) {
      point = { start: key, ...Object.fromEntries(names.map(([field]) => [field, 0])) } as SeriesPoint<Field>
      byStart.set(key, point)
    }
    for (const [field, counted] of names) if (counted === kind) (point as Record<Field, number>)[field] = count
  }
  return [...byStart.values()]
}

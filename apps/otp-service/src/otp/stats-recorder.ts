import type { FastifyBaseLogger } from 'fastify'
import type pg from 'pg'

export type StatKind = 'sent' | 'verified' | 'failed' | 'locked' | 'expired'

const flushSql = `INSERT INTO otp_stats (bucket, kind, channel, count)
  SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::bigint[])
  ON CONFLICT (bucket, kind, channel) DO UPDATE SET count = otp_stats.count + excluded.count`

/**
 * Counts outcomes in memory and adds them to the shared per-minute rows every few seconds, so
 * the hot paths never contend on a counter row. What a crash can lose is one flush interval
 * of statistics; nothing that limits or verification depend on.
 */
export function createStatsRecorder(pool: pg.Pool, log: FastifyBaseLogger) {
  let pending = new Map<string, number>()

  const keyOf = (kind: StatKind, channel: string) => `${Math.floor(Date.now() / 60_000) * 60_000}\t${kind}\t${channel}`

  return {
    record(kind: StatKind, channel: string) {
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
          name: 'otp_stats_flush',
          text: flushSql,
          values: [
            rows.map(([minute]) => new Date(Number(minute))),
            rows.map(([, kind]) => kind),
            rows.map(([, , channel]) => channel),
            rows.map(([, , , count]) => count),
          ],
        })
      } catch (error) {
        for (const [key, count] of batch) pending.set(key, (pending.get(key) ?? 0) + count)
        log.warn({ err: error }, 'OTP statistics not saved yet; kept for the next flush')
        throw error
      }
    },
  }
}

export type StatsRecorder = ReturnType<typeof createStatsRecorder>

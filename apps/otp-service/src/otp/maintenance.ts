import { type OtpSeries, SERIES_RANGES, type SeriesRange } from '@otp-suite/contract'
import { counterSeries, type Database, foldOldMinutes, sweep } from '@otp-suite/db'
import { Prisma, type PrismaClient } from '../generated/prisma/client.ts'
import type { StatKind } from './stats-recorder.ts'

const statKinds: StatKind[] = ['sent', 'verified', 'failed', 'locked', 'expired']
/** Each point of a series names its counts after their kinds. */
const seriesFields = Object.fromEntries(statKinds.map((kind) => [kind, kind])) as Record<StatKind, StatKind>
export type OtpStats = Record<StatKind, { last24h: number; total: number }>

/**
 * Housekeeping that any number of instances may run at once: each batch is taken with
 * SKIP LOCKED, so two runs share the work and nothing is deleted or counted twice. Prisma's model
 * API has no LIMIT or SKIP LOCKED on updates and deletes, so those steps are SQL; the totals are
 * read with model calls; the fold of old minutes and the series are @otp-suite/db's counter statements.
 */
export function createMaintenance(
  { prisma, pool }: Pick<Database<PrismaClient>, 'prisma' | 'pool'>,
  options: { batchSize: number; clientWindowSeconds: number },
) {
  const { batchSize } = options
  // A row's history counts for a day of sends: past a day after its last expiry, no limit needs it.
  const idleAfterSeconds = 86_400

  // Both steps that end a code count it as expired when it was never used.
  const countExpired = (ended: Prisma.Sql) => Prisma.sql`
    INSERT INTO otp_stats (bucket, kind, channel, count)
    SELECT date_trunc('minute', now()), 'expired', channel, count(*) FROM ${ended} GROUP BY channel
    ON CONFLICT (bucket, kind, channel) DO UPDATE SET count = otp_stats.count + excluded.count`

  const steps = {
    // Looks back an hour only, so it never rescans the day of spent codes; an expired code older
    // than that (housekeeping was down) is counted when its row goes, below.
    expiredCodes: async () => {
      const [{ handled }] = await prisma.$queryRaw<[{ handled: number }]>`
        WITH expired AS (
          UPDATE otp_codes SET code_hash = NULL
          WHERE (channel, destination, purpose, user_type) IN (
            SELECT channel, destination, purpose, user_type FROM otp_codes
            WHERE expires_at <= now() AND expires_at > now() - interval '1 hour' AND code_hash IS NOT NULL
            LIMIT ${batchSize} FOR UPDATE SKIP LOCKED)
          RETURNING channel),
        counted AS (${countExpired(Prisma.sql`expired`)})
        SELECT count(*)::int AS handled FROM expired`
      return handled
    },
    idleRows: async () => {
      const [{ handled }] = await prisma.$queryRaw<[{ handled: number }]>`
        WITH idle AS (
          DELETE FROM otp_codes WHERE (channel, destination, purpose, user_type) IN (
            SELECT channel, destination, purpose, user_type FROM otp_codes
            WHERE expires_at < now() - make_interval(secs => ${idleAfterSeconds}) LIMIT ${batchSize} FOR UPDATE SKIP LOCKED)
          RETURNING channel, code_hash),
        counted AS (${countExpired(Prisma.sql`idle WHERE code_hash IS NOT NULL`)})
        SELECT count(*)::int AS handled FROM idle`
      return handled
    },
    idleClientIps: () => prisma.$executeRaw`
      DELETE FROM otp_client_ips WHERE ip IN (
        SELECT ip FROM otp_client_ips
        WHERE updated_at < now() - make_interval(secs => ${options.clientWindowSeconds}) LIMIT ${batchSize} FOR UPDATE SKIP LOCKED)`,
    // A handful of rows an hour (one per budgeted country); only the database's current hour counts.
    pastCountryHours: () => prisma.$executeRaw`
      DELETE FROM otp_country_sends WHERE (calling_code, hour_start) IN (
        SELECT calling_code, hour_start FROM otp_country_sends
        WHERE hour_start < date_trunc('hour', now()) LIMIT ${batchSize} FOR UPDATE SKIP LOCKED)`,
    // Minutes only matter for "last 24 hours"; after two days they are folded into one row per day.
    foldOldMinutes: () => foldOldMinutes(pool, 'otp_stats', batchSize),
  }

  return {
    /** Runs every step until its backlog is gone (or `signal` stops it); returns how many rows each step handled. */
    cleanUp: (signal?: AbortSignal) => sweep(steps, batchSize, signal),

    async stats(): Promise<OtpStats> {
      const since = new Date(Date.now() - 86_400_000)
      const [totals, recent] = await Promise.all([
        prisma.otpStat.groupBy({ by: ['kind'], _sum: { count: true } }),
        prisma.otpStat.groupBy({ by: ['kind'], _sum: { count: true }, where: { bucket: { gt: since } } }),
      ])
      const stats = Object.fromEntries(statKinds.map((kind) => [kind, { last24h: 0, total: 0 }])) as OtpStats
      for (const [field, rows] of [
        ['total', totals],
        ['last24h', recent],
      ] as const) {
        for (const row of rows) if (row.kind in stats) stats[row.kind as StatKind][field] = Number(row._sum.count ?? 0)
      }
      return stats
    },

    /** Every outcome per hour of the last 24 hours or per day of the last 30 (UTC), empty intervals as zeros. */
    async series(range: SeriesRange): Promise<OtpSeries> {
      const span = SERIES_RANGES[range]
      return { range, interval: span.interval, points: await counterSeries(pool, 'otp_stats', span, seriesFields) }
    },
  }
}

export type Maintenance = ReturnType<typeof createMaintenance>

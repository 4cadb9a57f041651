import type { PrismaClient } from '../generated/prisma/client.ts'

export const statKinds = ['sent', 'verified', 'failed', 'locked', 'expired'] as const
type StatKind = (typeof statKinds)[number]
export type OtpStats = Record<StatKind, { last24h: number; total: number }>

/**
 * Housekeeping that any number of instances may run at once: every delete takes its batch
 * with SKIP LOCKED, so two runs share the work instead of counting anything twice.
 */
export function createMaintenance(prisma: PrismaClient, options: { batchSize: number; failureWindowSeconds: number }) {
  const { batchSize, failureWindowSeconds } = options

  const steps = {
    expiredCodes: () => prisma.$executeRaw`
      WITH expired AS (
        DELETE FROM otp_codes WHERE id IN (
          SELECT id FROM otp_codes WHERE expires_at <= now() ORDER BY expires_at LIMIT ${batchSize} FOR UPDATE SKIP LOCKED)
        RETURNING channel)
      INSERT INTO otp_events (kind, channel) SELECT 'expired', channel FROM expired`,
    sendLog: () => prisma.$executeRaw`
      DELETE FROM otp_send_log WHERE id IN (
        SELECT id FROM otp_send_log WHERE sent_at < now() - interval '1 day' LIMIT ${batchSize} FOR UPDATE SKIP LOCKED)`,
    verifyFailures: () => prisma.$executeRaw`
      DELETE FROM otp_verify_failures WHERE id IN (
        SELECT id FROM otp_verify_failures WHERE failed_at < now() - make_interval(secs => ${failureWindowSeconds})
        LIMIT ${batchSize} FOR UPDATE SKIP LOCKED)`,
    // Events older than a day and an hour only feed totals: fold them into one row per day.
    rollUpEvents: async () => {
      const [{ moved }] = await prisma.$queryRaw<[{ moved: number }]>`
        WITH moved AS (
          DELETE FROM otp_events WHERE id IN (
            SELECT id FROM otp_events WHERE at < now() - interval '25 hours' LIMIT ${batchSize} FOR UPDATE SKIP LOCKED)
          RETURNING kind, channel, at),
        folded AS (
          INSERT INTO otp_stats_daily (day, kind, channel, count)
          SELECT (at AT TIME ZONE 'UTC')::date, kind, channel, count(*) FROM moved GROUP BY 1, 2, 3
          ON CONFLICT (day, kind, channel) DO UPDATE SET count = otp_stats_daily.count + excluded.count)
        SELECT count(*)::int AS moved FROM moved`
      return moved
    },
  }

  return {
    /** Runs every step until its backlog is gone; returns how many rows each step handled. */
    async cleanUp(): Promise<Record<keyof typeof steps, number>> {
      const handled = { expiredCodes: 0, sendLog: 0, verifyFailures: 0, rollUpEvents: 0 }
      for (const name of Object.keys(steps) as (keyof typeof steps)[]) {
        let rows: number
        do {
          rows = await steps[name]()
          handled[name] += rows
        } while (rows >= batchSize)
      }
      return handled
    },

    async stats(): Promise<OtpStats> {
      const [recent, rolled] = await Promise.all([
        prisma.$queryRaw<{ kind: string; last24h: bigint; total: bigint }[]>`
          SELECT kind, count(*) FILTER (WHERE at > now() - interval '24 hours') AS last24h, count(*) AS total
          FROM otp_events GROUP BY kind`,
        prisma.$queryRaw<{ kind: string; total: bigint }[]>`
          SELECT kind, sum(count)::bigint AS total FROM otp_stats_daily GROUP BY kind`,
      ])
      const stats = Object.fromEntries(statKinds.map((kind) => [kind, { last24h: 0, total: 0 }])) as OtpStats
      for (const row of recent) {
        const stat = stats[row.kind as StatKind]
        if (stat) Object.assign(stat, { last24h: Number(row.last24h), total: stat.total + Number(row.total) })
      }
      for (const row of rolled) {
        const stat = stats[row.kind as StatKind]
        if (stat) stat.total += Number(row.total)
      }
      return stats
    },
  }
}

export type Maintenance = ReturnType<typeof createMaintenance>

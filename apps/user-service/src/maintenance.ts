import { type Database, foldOldMinutes, sweep } from '@otp-suite/db'
import type { PrismaClient } from './generated/prisma/client.ts'
import { STATS_TABLE } from './users/stats.ts'

/**
 * Deletes what no check needs any more, in batches taken with SKIP LOCKED, so every instance may
 * run it at once: blacklisted, spent and refresh tokens an hour past their expiry (by then the
 * token is refused by its expiry alone, whatever the clock leeway and the skew between servers),
 * and sessions that ended or expired a day ago, with their refresh tokens; and folds the minutes
 * of sign-in counts older than two days into one row per day.
 * SQL, since Prisma's model API has no LIMIT or SKIP LOCKED on deletes.
 */
export function createCleanup({ prisma, pool }: Pick<Database<PrismaClient>, 'prisma' | 'pool'>, batchSize: number) {
  const steps = {
    blacklistedTokens: () => prisma.$executeRaw`
      DELETE FROM blacklisted_tokens WHERE token_hash IN (
        SELECT token_hash FROM blacklisted_tokens WHERE expires_at < now() - interval '1 hour' LIMIT ${batchSize} FOR UPDATE SKIP LOCKED)`,
    spentTokens: () => prisma.$executeRaw`
      DELETE FROM spent_tokens WHERE jti IN (
        SELECT jti FROM spent_tokens WHERE expires_at < now() - interval '1 hour' LIMIT ${batchSize} FOR UPDATE SKIP LOCKED)`,
    // A live session's refresh tokens (spent, or never used) past their expiry: one row a refresh.
    expiredRefreshTokens: () => prisma.$executeRaw`
      DELETE FROM refresh_tokens WHERE token_hash IN (
        SELECT token_hash FROM refresh_tokens WHERE expires_at < now() - interval '1 hour' LIMIT ${batchSize} FOR UPDATE SKIP LOCKED)`,
    deadSessions: () => prisma.$executeRaw`
      DELETE FROM sessions WHERE id IN (
        SELECT id FROM sessions WHERE coalesce(ended_at, expires_at) < now() - interval '1 day'
        LIMIT ${batchSize} FOR UPDATE SKIP LOCKED)`,
    foldOldMinutes: () => foldOldMinutes(pool, STATS_TABLE, batchSize),
  }

  /** Runs every step until its backlog is gone (or `signal` stops it); returns how many rows each step deleted (or folded). */
  return (signal?: AbortSignal) => sweep(steps, batchSize, signal)
}

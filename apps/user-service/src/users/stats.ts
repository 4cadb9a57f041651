import { SERIES_RANGES, type SeriesRange, type UserSeries } from '@otp-suite/contract'
import { type CounterLog, counterSeries, createCounterRecorder } from '@otp-suite/db'
import type pg from 'pg'

/** Where the counts are kept, per minute (folded into days after two days by the cleanup). */
export const STATS_TABLE = 'user_stats'

export type UserStatKind = 'newUser' | 'signIn' | 'logout'
/** A sign-in's channel: the destination its proof was for; '' where it is not known (a logout). */
export type StatChannel = 'phone' | 'email' | ''

const seriesFields = { newUsers: 'newUser', signIns: 'signIn', logouts: 'logout' } satisfies Record<string, UserStatKind>

/**
 * New users, sign-ins and logouts, counted in memory and added to user_stats every few seconds (and
 * when the service closes), so signing in never waits on a counter row; read back as a series.
 */
export function createUserStats(pool: pg.Pool, log: CounterLog) {
  const counts = createCounterRecorder<UserStatKind>(pool, STATS_TABLE, log)
  return {
    record: (kind: UserStatKind, channel: StatChannel) => counts.record(kind, channel),
    flush: counts.flush,

    /** Per hour of the last 24 hours or per day of the last 30 (UTC), empty intervals as zeros. */
    async series(range: SeriesRange): Promise<UserSeries> {
      const span = SERIES_RANGES[range]
      return { range, interval: span.interval, points: await counterSeries(pool, STATS_TABLE, span, seriesFields) }
    },
  }
}

export type UserStats = ReturnType<typeof createUserStats>

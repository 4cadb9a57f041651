import { createCounterRecorder } from '@otp-suite/db'
import type { FastifyBaseLogger } from 'fastify'
import type pg from 'pg'

export type StatKind = 'sent' | 'verified' | 'failed' | 'locked' | 'expired'

/**
 * Counts outcomes in memory and adds them to the shared per-minute rows of otp_stats every few
 * seconds, so the hot paths never contend on a counter row. What a crash can lose is one flush
 * interval of statistics; nothing that limits or verification depend on.
 */
export const createStatsRecorder = (pool: pg.Pool, log: FastifyBaseLogger) => createCounterRecorder<StatKind>(pool, 'otp_stats', log)

export type StatsRecorder = ReturnType<typeof createStatsRecorder>

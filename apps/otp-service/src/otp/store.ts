import type pg from 'pg'
import type { OtpKey } from './codes.ts'

/** The limits the database enforces; the resend cooldown also dates a locked code's retry. */
export type OtpLimits = {
  cooldownSeconds: number
  windowSeconds: number
  windowMax: number
  dailyMax: number
  ipWindowSeconds: number
  ipMax: number
  failureWindowSeconds: number
  failureMax: number
}

export type IssueRequest = OtpKey & {
  codeHash: Buffer
  ttlSeconds: number
  maxAttempts: number
  /** Resend: only when a live code is pending. */
  requirePending: boolean
  /** False for test destinations, which are exempt from send limits. */
  limited: boolean
  clientIp: string | null
}

export type IssueResult =
  /** `issuedAt` is the database's own timestamp, kept exact (as text) for `release`. */
  { outcome: 'issued'; issuedAt: string } | { outcome: 'not_found' } | { outcome: 'cooldown' | 'limit' | 'ip_limit'; retryAfter: number }

export type VerifyResult =
  /** `missing`: never sent, already used or withdrawn; `expired`: found past its time, and now withdrawn. */
  { outcome: 'verified' | 'expired' | 'missing' } | { outcome: 'invalid'; attemptsLeft: number } | { outcome: 'locked'; retryAfter: number }

// Named statements are prepared once per pooled connection: these run on every send and verify.
const issueSql =
  'SELECT outcome, retry_after, issued_at::text FROM otp_issue($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)'
const releaseSql = 'SELECT otp_release($1, $2, $3, $4, $5, $6, $7)'
const verifySql = 'SELECT * FROM otp_verify($1, $2, $3, $4, $5, $6, $7, $8)'

export function createOtpStore(pool: pg.Pool, limits: OtpLimits) {
  return {
    async issue(request: IssueRequest): Promise<IssueResult> {
      const { rows } = await pool.query({
        name: 'otp_issue',
        text: issueSql,
        values: [
          request.channel,
          request.destination,
          request.purpose,
          request.userType,
          request.codeHash,
          request.ttlSeconds,
          request.maxAttempts,
          request.requirePending,
          request.limited,
          request.clientIp,
          limits.cooldownSeconds,
          limits.windowSeconds,
          limits.windowMax,
          limits.dailyMax,
          limits.ipWindowSeconds,
          limits.ipMax,
        ],
      })
      const row = rows[0]
      if (row.outcome === 'issued') return { outcome: 'issued', issuedAt: row.issued_at }
      if (row.outcome === 'not_found') return { outcome: 'not_found' }
      return { outcome: row.outcome, retryAfter: row.retry_after }
    },

    /** Undoes an issue whose delivery failed: the code is gone and the send does not count. */
    async release(request: IssueRequest, issuedAt: string): Promise<void> {
      await pool.query({
        name: 'otp_release',
        text: releaseSql,
        values: [request.channel, request.destination, request.purpose, request.userType, request.codeHash, request.clientIp, issuedAt],
      })
    },

    async verify(key: OtpKey, codeHash: Buffer): Promise<VerifyResult> {
      const { rows } = await pool.query({
        name: 'otp_verify',
        text: verifySql,
        values: [
          key.channel,
          key.destination,
          key.purpose,
          key.userType,
          codeHash,
          limits.failureWindowSeconds,
          limits.failureMax,
          limits.cooldownSeconds,
        ],
      })
      const row = rows[0]
      if (row.outcome === 'invalid') return { outcome: 'invalid', attemptsLeft: row.attempts_left }
      if (row.outcome === 'locked') return { outcome: 'locked', retryAfter: row.retry_after }
      return { outcome: row.outcome }
    },
  }
}

export type OtpStore = ReturnType<typeof createOtpStore>

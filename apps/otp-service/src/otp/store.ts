import { type BatchOptions, batched } from '@otp-suite/db'
import { errors as kitErrors } from '@otp-suite/service-kit'
import type pg from 'pg'
import type { OtpKey } from './codes.ts'

/** The limits the database enforces; the resend cooldown also dates a locked code's retry. */
export type OtpLimits = {
  ttlSeconds: number
  maxAttempts: number
  cooldownSeconds: number
  windowSeconds: number
  windowMax: number
  dailyMax: number
  ipWindowSeconds: number
  ipMax: number
  ipFailureWindowSeconds: number
  ipFailureMax: number
}

export type IssueRequest = OtpKey & {
  codeHash: Buffer
  /** Resend: only when a live code is pending. */
  requirePending: boolean
  /** False for test destinations, which are exempt from the per-destination limits (not the per-address ones). */
  limited: boolean
  /** The limit key of the client: an IPv4 address or an IPv6 /64. */
  clientIp: string | null
  /** For SMS with a country budget: the calling code and its sends per hour. */
  callingCode: string | null
  countryBudget: number | null
}

export type IssueResult =
  /** `issuedAt` is the database's own timestamp, kept exact (as text) for `release`. */
  | { outcome: 'issued'; issuedAt: string }
  /** `blocked`: the destination is in otp_blocked_destinations; nothing was stored or counted. */
  | { outcome: 'not_found' | 'blocked' }
  | { outcome: 'cooldown' | 'limit' | 'ip_limit' | 'country_limit'; retryAfter: number }

export type VerifyRequest = OtpKey & { codeHash: Buffer; clientIp: string | null }

export type VerifyResult =
  /** `missing`: never sent, already used or withdrawn; `expired`: found past its time, and now withdrawn. */
  | { outcome: 'verified' | 'expired' | 'missing' }
  | { outcome: 'invalid'; attemptsLeft: number }
  /** `locked`: this code took its last wrong guess; `client_locked`: this client address did. */
  | { outcome: 'locked' | 'client_locked'; retryAfter: number }

// Named statements, prepared once per pooled connection, with parameters by name. Each takes a
// batch: the requests that arrive together share one round trip, one transaction and one commit.
const call = (fn: string, params: string[]) => `SELECT * FROM ${fn}(${params.map((name, i) => `${name} => $${i + 1}`).join(', ')})`
const issueParams = [
  ...['p_channel', 'p_destination', 'p_purpose', 'p_user_type', 'p_code_hash', 'p_require_pending', 'p_limited'],
  ...['p_client_ip', 'p_calling_code', 'p_country_budget', 'p_ttl_seconds', 'p_max_attempts', 'p_cooldown_seconds'],
  ...['p_window_seconds', 'p_window_max', 'p_daily_max', 'p_ip_window_seconds', 'p_ip_max'],
]
const issueSql = call('otp_issue', issueParams).replace('SELECT *', 'SELECT outcome, retry_after, issued_at::text')
const verifyParams = [
  ...['p_channel', 'p_destination', 'p_purpose', 'p_user_type', 'p_code_hash', 'p_client_ip'],
  ...['p_cooldown_seconds', 'p_ip_failure_window_seconds', 'p_ip_failure_max'],
]
const verifySql = call('otp_verify', verifyParams)
const releaseParams = [
  ...['p_channel', 'p_destination', 'p_purpose', 'p_user_type', 'p_code_hash'],
  ...['p_calling_code', 'p_country_counted', 'p_issued_at'],
]
const releaseSql = call('otp_release', releaseParams)

export type StoreBatching = BatchOptions & {
  /** Told the size of every batch sent (a Prometheus histogram). */
  batchSizes: { observe(labels: { statement: 'issue' | 'verify' }, size: number): void }
}

// Validation keeps values the database cannot store out; this is the last line: the batch runs
// again one request at a time, in order, and the bad one alone gets a 400.
const refused = () => new kitErrors.VALIDATION_ERROR('A field holds a value that cannot be stored')

const column = <I, K extends keyof I>(items: readonly I[], key: K) => items.map((item) => item[key])
/** The columns both batch functions start with, in their order. */
const keyColumns = (requests: readonly (OtpKey & { codeHash: Buffer })[]) =>
  (['channel', 'destination', 'purpose', 'userType', 'codeHash'] as const).map((key) => column(requests, key))

export function createOtpStore(pool: Pick<pg.Pool, 'query'>, limits: OtpLimits, { batchSizes, ...options }: StoreBatching) {
  const batching = { ...options, refused }
  const issue = batched(async (requests: readonly IssueRequest[]) => {
    batchSizes.observe({ statement: 'issue' }, requests.length)
    const { rows } = await pool.query({
      name: 'otp_issue',
      text: issueSql,
      values: [
        ...keyColumns(requests),
        ...(['requirePending', 'limited', 'clientIp', 'callingCode', 'countryBudget'] as const).map((key) => column(requests, key)),
        limits.ttlSeconds,
        limits.maxAttempts,
        limits.cooldownSeconds,
        limits.windowSeconds,
        limits.windowMax,
        limits.dailyMax,
        limits.ipWindowSeconds,
        limits.ipMax,
      ],
    })
    return rows.map((row): IssueResult => {
      if (row.outcome === 'issued') return { outcome: 'issued', issuedAt: row.issued_at }
      if (row.outcome === 'not_found' || row.outcome === 'blocked') return { outcome: row.outcome }
      return { outcome: row.outcome, retryAfter: row.retry_after }
    })
  }, batching)

  const verify = batched(async (requests: readonly VerifyRequest[]) => {
    batchSizes.observe({ statement: 'verify' }, requests.length)
    const { rows } = await pool.query({
      name: 'otp_verify',
      text: verifySql,
      values: [
        ...keyColumns(requests),
        column(requests, 'clientIp'),
        limits.cooldownSeconds,
        limits.ipFailureWindowSeconds,
        limits.ipFailureMax,
      ],
    })
    return rows.map((row): VerifyResult => {
      if (row.outcome === 'invalid') return { outcome: 'invalid', attemptsLeft: row.attempts_left }
      if (row.outcome === 'locked' || row.outcome === 'client_locked') return { outcome: row.outcome, retryAfter: row.retry_after }
      return { outcome: row.outcome }
    })
  }, batching)

  return {
    issue,

    /**
     * Undoes an issue whose delivery was refused: the code is gone and exactly this send no longer
     * counts for its destination and country (it still does for the client's address).
     */
    async release(request: IssueRequest, issuedAt: string): Promise<void> {
      const { channel, destination, purpose, userType, codeHash, callingCode, countryBudget } = request
      await pool.query({
        name: 'otp_release',
        text: releaseSql,
        values: [channel, destination, purpose, userType, codeHash, callingCode, countryBudget !== null, issuedAt],
      })
    },

    verify,
  }
}

export type OtpStore = ReturnType<typeof createOtpStore>

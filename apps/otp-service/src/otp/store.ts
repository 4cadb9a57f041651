import DataLoader from 'dataloader'
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
  failureWindowSeconds: number
  failureMax: number
}

export type IssueRequest = OtpKey & {
  codeHash: Buffer
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

// Named statements, prepared once per pooled connection. Each takes a batch: the requests that
// arrive together share one round trip, one transaction and one commit.
const issueSql =
  'SELECT outcome, retry_after, issued_at::text FROM otp_issue($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)'
const releaseSql = 'SELECT otp_release($1, $2, $3, $4, $5, $6, $7)'
const verifySql = 'SELECT * FROM otp_verify($1, $2, $3, $4, $5, $6, $7, $8)'

/**
 * Gathers calls into batches. A batch leaves once the event loop has handled the current round of
 * I/O and fewer than `concurrency` batches of its kind are out, taking every call that arrived
 * meanwhile: an idle service sends a batch of one at once, a busy one fewer, larger batches.
 */
function batched<I, O>(run: (items: readonly I[]) => Promise<O[]>, { maxBatch, concurrency }: Omit<BatchOptions, 'batchSizes'>) {
  let out = 0
  const waiting: (() => void)[] = []
  const send = (dispatch: () => void) => {
    out++
    setImmediate(dispatch)
  }
  const loader = new DataLoader(
    (items: readonly I[]) =>
      run(items).finally(() => {
        out--
        const next = waiting.shift()
        if (next) send(next)
      }),
    { cache: false, maxBatchSize: maxBatch, batchScheduleFn: (dispatch) => (out < concurrency ? send(dispatch) : waiting.push(dispatch)) },
  )
  return (item: I) => loader.load(item)
}

export type BatchOptions = {
  maxBatch: number
  /** Batches of each kind (sends, verifies) out at once per instance. */
  concurrency: number
  /** Told the size of every batch sent (a Prometheus histogram). */
  batchSizes: { observe(labels: { statement: 'issue' | 'verify' }, size: number): void }
}

type HashedKey = OtpKey & { codeHash: Buffer }
const column = <I, K extends keyof I>(items: readonly I[], key: K) => items.map((item) => item[key])
/** The columns both batch functions start with, in their order. */
const keyColumns = (requests: readonly HashedKey[]) =>
  (['channel', 'destination', 'purpose', 'userType', 'codeHash'] as const).map((key) => column(requests, key))

export function createOtpStore(pool: Pick<pg.Pool, 'query'>, limits: OtpLimits, { batchSizes, ...batching }: BatchOptions) {
  const issue = batched(async (requests: readonly IssueRequest[]) => {
    batchSizes.observe({ statement: 'issue' }, requests.length)
    const { rows } = await pool.query({
      name: 'otp_issue',
      text: issueSql,
      values: [
        ...keyColumns(requests),
        column(requests, 'requirePending'),
        column(requests, 'limited'),
        column(requests, 'clientIp'),
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
      if (row.outcome === 'not_found') return { outcome: 'not_found' }
      return { outcome: row.outcome, retryAfter: row.retry_after }
    })
  }, batching)

  const verify = batched(async (requests: readonly HashedKey[]) => {
    batchSizes.observe({ statement: 'verify' }, requests.length)
    const { rows } = await pool.query({
      name: 'otp_verify',
      text: verifySql,
      values: [...keyColumns(requests), limits.failureWindowSeconds, limits.failureMax, limits.cooldownSeconds],
    })
    return rows.map((row): VerifyResult => {
      if (row.outcome === 'invalid') return { outcome: 'invalid', attemptsLeft: row.attempts_left }
      if (row.outcome === 'locked') return { outcome: 'locked', retryAfter: row.retry_after }
      return { outcome: row.outcome }
    })
  }, batching)

  return {
    issue,

    /** Undoes an issue whose delivery failed: the code is gone and the send does not count. */
    async release(request: IssueRequest, issuedAt: string): Promise<void> {
      await pool.query({
        name: 'otp_release',
        text: releaseSql,
        values: [request.channel, request.destination, request.purpose, request.userType, request.codeHash, request.clientIp, issuedAt],
      })
    },

    verify: (key: OtpKey, codeHash: Buffer) => verify({ ...key, codeHash }),
  }
}

export type OtpStore = ReturnType<typeof createOtpStore>

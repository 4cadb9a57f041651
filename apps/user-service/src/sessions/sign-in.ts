import { randomUUID } from 'node:crypto'
import { type BatchOptions, batched } from '@otp-suite/db'
import type { TokenService, VerifiedClaims } from '@otp-suite/jwt'
import type pg from 'pg'
import { errors } from '../errors.ts'
import type { User } from '../generated/prisma/client.ts'
import type { UserStats } from '../users/stats.ts'
import { toUserReply } from '../users/user.ts'
import { type Lifetimes, signPair, tokenHash, userColumns } from './tokens.ts'

const SIGN_IN_PURPOSES = new Set(['login', 'signup'])

/**
 * Sign-in for a batch of proofs in one statement (it runs for every verified code, so it is written
 * by hand, measured in the bench): spend each proof, make or update its user, and, when the user is
 * active, open a session with its first refresh token. An insert that conflicts on the destination
 * updates instead, so two concurrent first sign-ins make one user; a spent proof inserts nothing, so
 * nothing follows for it. The user was created when its row carries the id the insert proposed.
 * Rows are written in key order, so batches of one kind running at once take their locks in one
 * order (`runBreakingDeadlocks` for batches of the two kinds). A batch holds each proof and each
 * destination once (`rounds`): a second one runs in the next statement.
 */
const signInSql = (destination: 'phone' | 'email') => `
  WITH input AS (
    SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::uuid[], $8::timestamptz[], $9::bytea[], $10::int[])
      AS r(jti, proof_expires_at, user_id, user_type, destination, role, session_id, expires_at, token_hash, i)
  ), spent AS (
    INSERT INTO spent_tokens (jti, kind, expires_at) SELECT jti, 'otp_proof', proof_expires_at FROM input ORDER BY jti
    ON CONFLICT (jti) DO NOTHING RETURNING jti
  ), account AS (
    INSERT INTO users (id, user_type, ${destination}, ${destination}_verified, role, last_login_at)
    SELECT r.user_id, r.user_type, r.destination, true, r.role, now() FROM input r JOIN spent USING (jti) ORDER BY r.user_type, r.destination
    ON CONFLICT (user_type, ${destination}) DO UPDATE SET ${destination}_verified = true,
      last_login_at = CASE WHEN users.status = 'active' THEN now() ELSE users.last_login_at END, updated_at = now()
    RETURNING *
  ), per_request AS (
    SELECT r.i, a.* FROM input r JOIN account a ON a.user_type = r.user_type AND a.${destination} = r.destination
  ), session AS (
    INSERT INTO sessions (id, user_id, expires_at)
    SELECT r.session_id, s.id, r.expires_at FROM per_request s JOIN input r USING (i) WHERE s.status = 'active' RETURNING id
  ), refresh AS (
    INSERT INTO refresh_tokens (token_hash, session_id, expires_at) SELECT r.token_hash, r.session_id, r.expires_at FROM session JOIN input r ON r.session_id = session.id
  )
  SELECT s.i, ${userColumns('s')}, EXISTS (SELECT 1 FROM session WHERE session.id = r.session_id) AS "signedIn", s.id = r.user_id AS "created"
  FROM per_request s JOIN input r USING (i)`

type SignInRequest = {
  jti: string
  proofExpiresAt: Date
  /** The id of the user, should this sign-in make one. */
  newUserId: string
  userType: string
  destination: string
  role: 'user' | 'admin'
  sessionId: string
  refreshExpiresAt: Date
  refreshHash: Buffer
}
/** The statement's parameters, in order: one array each. */
const SIGN_IN_COLUMNS = [
  ...['jti', 'proofExpiresAt', 'newUserId', 'userType', 'destination', 'role'],
  ...['sessionId', 'refreshExpiresAt', 'refreshHash', 'place'],
] as const
type SignInRow = User & { signedIn: boolean; created: boolean }

/**
 * Splits a batch into statements that each hold a proof and a destination at most once, in arrival
 * order; each request keeps its place in the batch.
 */
function rounds(requests: readonly SignInRequest[]) {
  const seen = new Map<string, number>()
  const result: (SignInRequest & { place: number })[][] = []
  requests.forEach((request, place) => {
    const keys = [`jti ${request.jti}`, `to ${request.userType} ${request.destination}`]
    const level = Math.max(...keys.map((key) => seen.get(key) ?? 0))
    for (const key of keys) seen.set(key, level + 1)
    let round = result[level]
    if (!round) {
      round = []
      result.push(round)
    }
    round.push({ ...request, place })
  })
  return result
}

// A value the database refuses (a destination too long for its column, a character it cannot
// store): signed proofs never carry one, but should one, it is refused alone, not with its batch.
const REFUSED_VALUES = new Set(['22021', '22P05', '22001'])
const refusal = (error: unknown) =>
  REFUSED_VALUES.has(String((error as { code?: unknown }).code)) ? new errors.PROOF_INVALID() : undefined

type Dependencies = Lifetimes & {
  pool: Pick<pg.Pool, 'query'>
  tokens: TokenService
  adminBootstrap: ReadonlySet<string>
  stats: Pick<UserStats, 'record'>
  batching: BatchOptions
}

/**
 * A batch of phone sign-ins takes its users in phone order, one of email sign-ins in email order,
 * so two running at once can each hold a user the other waits for. PostgreSQL then rolls one back
 * whole (40P01) and the other goes on; the one rolled back runs again.
 */
async function runBreakingDeadlocks<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run()
    } catch (error) {
      if ((error as { code?: unknown }).code !== '40P01' || attempt === 3) throw error
    }
  }
}

/**
 * Turns an otp-service proof into a session: each proof once across all instances, the user made
 * on first sign-in (a phone proof fills and verifies the phone, an email proof the email; the
 * proof's user type decides live or demo), the admin role for bootstrap destinations. Sign-ins that
 * arrive together share a statement and a commit.
 */
export function createSignIn({ pool, tokens, adminBootstrap, stats, batching, accessTtlSeconds, refreshTtlSeconds }: Dependencies) {
  const batchFor = (destination: 'phone' | 'email') =>
    batched(
      async (requests: readonly SignInRequest[]) => {
        const rows: (SignInRow | null)[] = requests.map(() => null)
        for (const round of rounds(requests)) {
          const query = {
            name: `sign_in_${destination}`,
            text: signInSql(destination),
            values: SIGN_IN_COLUMNS.map((key) => round.map((request) => request[key])),
          }
          const { rows: signedIn } = await runBreakingDeadlocks(() => pool.query<SignInRow & { i: number }>(query))
          for (const { i, ...row } of signedIn) rows[i] = row
        }
        return rows
      },
      { ...batching, refusal },
    )
  const batches = { phone: batchFor('phone'), email: batchFor('email') }

  return async function signIn(proof: string) {
    let claims: VerifiedClaims<'otp_proof'>
    try {
      claims = tokens.verify('otp_proof', proof)
    } catch {
      throw new errors.PROOF_INVALID()
    }
    if (!SIGN_IN_PURPOSES.has(claims.purpose)) throw new errors.PROOF_INVALID()
    const destination = claims.channel === 'sms' ? 'phone' : 'email'
    const refreshJti = randomUUID()
    const request: SignInRequest = {
      jti: claims.jti,
      proofExpiresAt: new Date(claims.exp * 1000),
      newUserId: randomUUID(),
      userType: claims.userType,
      destination: claims.sub,
      // Bootstrap admins are live users: demo accounts are where shared store-review codes live.
      role: claims.userType === 'live' && adminBootstrap.has(claims.sub) ? 'admin' : 'user',
      sessionId: randomUUID(),
      refreshExpiresAt: new Date(Date.now() + refreshTtlSeconds * 1000),
      refreshHash: tokenHash(refreshJti),
    }
    const row = await batches[destination](request)
    if (!row) throw new errors.PROOF_INVALID()
    if (row.created) stats.record('newUser', destination)
    // The proof stays spent: a banned user's proof is no better the second time.
    if (!row.signedIn) throw new errors.USER_BANNED()
    stats.record('signIn', destination)
    const { signedIn: _, created: __, ...user } = row
    const { pair } = signPair(tokens, user, request.sessionId, { accessTtlSeconds, refreshTtlSeconds }, refreshJti)
    return { ...pair, user: toUserReply(user) }
  }
}

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
 * Sign-in for a batch of proofs in one statement, so one commit (it runs for every verified code, so
 * it is written by hand, measured in the bench): spend each proof, make or update its user, and,
 * when the user is active, open a session with its first refresh token. A proof already spent
 * inserts nothing, so nothing follows for it. An insert that conflicts on the destination updates
 * instead, so concurrent first sign-ins make one user; proofs of one destination in one batch make
 * or update it once (the earliest proposes the id) and each get a session. The user was created
 * for the request whose proposed id it carries. Proofs are spent, and users taken, in key order, so
 * batches of one kind take their locks in one order (batches of the two kinds: `runBreakingDeadlocks`).
 */
const signInSql = (destination: 'phone' | 'email') => `
  WITH input AS (
    SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::uuid[], $8::timestamptz[], $9::bytea[], $10::int[])
      AS r(jti, proof_expires_at, proposed_id, user_type, destination, role, session_id, session_expires_at, token_hash, i)
  ), spent AS (
    INSERT INTO spent_tokens (jti, kind, expires_at) SELECT jti, 'otp_proof', proof_expires_at FROM input ORDER BY jti
    ON CONFLICT (jti) DO NOTHING RETURNING jti
  ), signing_in AS (
    SELECT input.* FROM input JOIN spent USING (jti)
  ), account AS (
    INSERT INTO users (id, user_type, ${destination}, ${destination}_verified, role, last_login_at)
    SELECT DISTINCT ON (user_type, destination) proposed_id, user_type, destination, true, role, now()
    FROM signing_in ORDER BY user_type, destination, i
    ON CONFLICT (user_type, ${destination}) DO UPDATE SET ${destination}_verified = true,
      last_login_at = CASE WHEN users.status = 'active' THEN now() ELSE users.last_login_at END, updated_at = now()
    RETURNING *
  ), per_request AS (
    SELECT r.i, r.proposed_id, r.session_id, r.session_expires_at, r.token_hash, a.*
    FROM signing_in r JOIN account a ON a.user_type = r.user_type AND a.${destination} = r.destination
  ), session AS (
    INSERT INTO sessions (id, user_id, expires_at) SELECT session_id, id, session_expires_at FROM per_request WHERE status = 'active'
    RETURNING id
  ), refresh AS (
    INSERT INTO refresh_tokens (token_hash, session_id, expires_at)
    SELECT p.token_hash, p.session_id, p.session_expires_at FROM per_request p JOIN session s ON s.id = p.session_id
  )
  SELECT p.i, ${userColumns('p')}, s.id IS NOT NULL AS "signedIn", p.id = p.proposed_id AS "created"
  FROM per_request p LEFT JOIN session s ON s.id = p.session_id`

type SignInRequest = {
  jti: string
  proofExpiresAt: Date
  /** The id of the user, should this sign-in make one. */
  proposedId: string
  userType: string
  destination: string
  role: 'user' | 'admin'
  sessionId: string
  refreshExpiresAt: Date
  refreshHash: Buffer
}
/** The statement's parameters, in order: one array each. */
const SIGN_IN_COLUMNS = [
  ...['jti', 'proofExpiresAt', 'proposedId', 'userType', 'destination', 'role'],
  ...['sessionId', 'refreshExpiresAt', 'refreshHash', 'place'],
] as const
type SignInRow = User & { signedIn: boolean; created: boolean }

// Signed proofs never carry a value the database cannot store, but should one, it is refused alone.
const refused = () => new errors.PROOF_INVALID()

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
        // A proof the batch holds twice is spent by its first copy; a later copy gets no row, as a replay.
        const jtis = new Set<string>()
        const sent = requests.map((request, place) => ({ ...request, place })).filter(({ jti }) => !jtis.has(jti) && jtis.add(jti))
        const query = {
          name: `sign_in_${destination}`,
          text: signInSql(destination),
          values: SIGN_IN_COLUMNS.map((key) => sent.map((request) => request[key])),
        }
        const { rows: signedIn } = await runBreakingDeadlocks(() => pool.query<SignInRow & { i: number }>(query))
        for (const { i, ...row } of signedIn) rows[i] = row
        return rows
      },
      { ...batching, refused },
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
      proposedId: randomUUID(),
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

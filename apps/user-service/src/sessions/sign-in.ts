import { randomUUID } from 'node:crypto'
import type { TokenService, VerifiedClaims } from '@otp-suite/jwt'
import type pg from 'pg'
import { errors } from '../errors.ts'
import type { User } from '../generated/prisma/client.ts'
import type { UserStats } from '../users/stats.ts'
import { toUserReply } from '../users/user.ts'
import { type Lifetimes, signPair, tokenHash, userColumns } from './tokens.ts'

const SIGN_IN_PURPOSES = new Set(['login', 'signup'])

/**
 * Sign-in in one statement (it runs for every verified code, so it is written by hand, measured in
 * the bench): spend the proof, make or update the user, and, when the user is active, open a session
 * with its first refresh token. An insert that conflicts on the destination updates instead, so two
 * concurrent first sign-ins make one user; a spent proof inserts nothing, so nothing follows. The
 * user was created when the row carries the id the insert proposed ($3).
 */
const signInSql = (destination: 'phone' | 'email') => `
  WITH spent AS (
    INSERT INTO spent_tokens (jti, kind, expires_at) VALUES ($1, 'otp_proof', $2) ON CONFLICT (jti) DO NOTHING RETURNING jti
  ), account AS (
    INSERT INTO users (id, user_type, ${destination}, ${destination}_verified, role, last_login_at)
    SELECT $3, $4, $5, true, $6, now() FROM spent
    ON CONFLICT (user_type, ${destination}) DO UPDATE SET ${destination}_verified = true,
      last_login_at = CASE WHEN users.status = 'active' THEN now() ELSE users.last_login_at END, updated_at = now()
    RETURNING *
  ), session AS (
    INSERT INTO sessions (id, user_id, expires_at) SELECT $7, id, $8 FROM account WHERE status = 'active' RETURNING id
  ), refresh AS (
    INSERT INTO refresh_tokens (token_hash, session_id, expires_at) SELECT $9, id, $8 FROM session
  )
  SELECT ${userColumns('a')}, EXISTS (SELECT 1 FROM session) AS "signedIn", a.id = $3 AS "created" FROM account a`

type Dependencies = Lifetimes & {
  pool: Pick<pg.Pool, 'query'>
  tokens: TokenService
  adminBootstrap: ReadonlySet<string>
  stats: Pick<UserStats, 'record'>
}

/**
 * Turns an otp-service proof into a session: each proof once across all instances, the user made
 * on first sign-in (a phone proof fills and verifies the phone, an email proof the email; the
 * proof's user type decides live or demo), the admin role for bootstrap destinations.
 */
export function createSignIn({ pool, tokens, adminBootstrap, stats, accessTtlSeconds, refreshTtlSeconds }: Dependencies) {
  return async function signIn(proof: string) {
    let claims: VerifiedClaims<'otp_proof'>
    try {
      claims = tokens.verify('otp_proof', proof)
    } catch {
      throw new errors.PROOF_INVALID()
    }
    if (!SIGN_IN_PURPOSES.has(claims.purpose)) throw new errors.PROOF_INVALID()
    const destination = claims.channel === 'sms' ? 'phone' : 'email'
    const sessionId = randomUUID()
    const refreshJti = randomUUID()
    const refreshExpiresAt = new Date(Date.now() + refreshTtlSeconds * 1000)
    const { rows } = await pool.query<User & { signedIn: boolean; created: boolean }>({
      name: `sign_in_${destination}`,
      text: signInSql(destination),
      values: [
        claims.jti,
        new Date(claims.exp * 1000),
        randomUUID(),
        claims.userType,
        claims.sub,
        // Bootstrap admins are live users: demo accounts are where shared store-review codes live.
        claims.userType === 'live' && adminBootstrap.has(claims.sub) ? 'admin' : 'user',
        sessionId,
        refreshExpiresAt,
        tokenHash(refreshJti),
      ],
    })
    const [row] = rows
    if (!row) throw new errors.PROOF_INVALID()
    if (row.created) stats.record('newUser', destination)
    // The proof stays spent: a banned user's proof is no better the second time.
    if (!row.signedIn) throw new errors.USER_BANNED()
    stats.record('signIn', destination)
    const { signedIn: _, created: __, ...user } = row
    const { pair } = signPair(tokens, user, sessionId, { accessTtlSeconds, refreshTtlSeconds }, refreshJti)
    return { ...pair, user: toUserReply(user) }
  }
}

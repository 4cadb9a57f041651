import type { TokenService, VerifiedClaims } from '@otp-suite/jwt'
import { errors } from '../errors.ts'
import type { PrismaClient } from '../generated/prisma/client.ts'
import { toUserReply } from '../users/user.ts'
import type { SessionStore } from './session-store.ts'

const SIGN_IN_PURPOSES = new Set(['login', 'signup'])

/** Two first sign-ins of one new destination race to create its user: the loser retries and finds it. */
const isUniqueViolation = (error: unknown) => (error as { code?: string }).code === 'P2002'

/**
 * Turns an otp-service proof into a session: each proof once across all instances, the user made
 * on first sign-in (a phone proof fills and verifies the phone, an email proof the email; the
 * proof's user type decides live or demo), the admin role for bootstrap destinations.
 */
export function createSignIn(deps: {
  prisma: PrismaClient
  tokens: TokenService
  sessions: SessionStore
  adminBootstrap: ReadonlySet<string>
}) {
  const { prisma, tokens, sessions, adminBootstrap } = deps

  const attempt = (claims: VerifiedClaims<'otp_proof'>) =>
    prisma.$transaction(async (tx) => {
      const spent = await tx.spentToken.createMany({
        data: [{ jti: claims.jti, kind: 'otp_proof', expiresAt: new Date(claims.exp * 1000) }],
        skipDuplicates: true,
      })
      if (spent.count === 0) return { outcome: 'replayed' as const }
      const now = new Date()
      const { sub: destination, userType } = claims
      const verified = claims.channel === 'sms' ? { phone: destination, phoneVerified: true } : { email: destination, emailVerified: true }
      const user = await tx.user.upsert({
        where:
          claims.channel === 'sms'
            ? { userType_phone: { userType, phone: destination } }
            : { userType_email: { userType, email: destination } },
        create: { userType, ...verified, role: adminBootstrap.has(destination) ? 'admin' : 'user', lastLoginAt: now },
        update: { ...verified, lastLoginAt: now },
      })
      // The proof stays spent: a banned user's proof is no better the second time.
      if (user.status !== 'active') return { outcome: 'banned' as const }
      const session = await tx.session.create({ data: { userId: user.id, expiresAt: now } })
      return { outcome: 'signed_in' as const, pair: await sessions.issuePair(tx, user, session.id), user }
    })

  return async function signIn(proof: string) {
    let claims: VerifiedClaims<'otp_proof'>
    try {
      claims = tokens.verify('otp_proof', proof)
    } catch {
      throw new errors.PROOF_INVALID()
    }
    if (!SIGN_IN_PURPOSES.has(claims.purpose)) throw new errors.PROOF_INVALID()
    const result = await attempt(claims).catch((error: unknown) => (isUniqueViolation(error) ? attempt(claims) : Promise.reject(error)))
    if (result.outcome === 'replayed') throw new errors.PROOF_INVALID()
    if (result.outcome === 'banned') throw new errors.USER_BANNED()
    return { ...result.pair, user: toUserReply(result.user) }
  }
}

import { type BatchOptions, batched } from '@otp-suite/db'
import type { TokenService, VerifiedClaims } from '@otp-suite/jwt'
import type pg from 'pg'
import { errors } from '../errors.ts'
import type { PrismaClient, User } from '../generated/prisma/client.ts'
import type { UserStats } from '../users/stats.ts'
import { type Lifetimes, signPair, type TokenPair, type Transaction, tokenHash, userColumns } from './tokens.ts'

// The check every authenticated request pays: the session is live, the user is active and the token
// is not blacklisted, with the user read in the same statement. Requests that arrive together are
// checked together, one statement for the batch (named, so each pooled connection prepares it once).
// LATERAL: each token is looked up by primary key, however large the tables grow (a join over the
// unnested batch lets the planner pick a scan of sessions once it has grown).
const authenticateSql = `
  SELECT r.i::int AS i, live.*
  FROM unnest($1::uuid[], $2::uuid[], $3::bytea[]) WITH ORDINALITY AS r(sid, sub, token_hash, i)
  CROSS JOIN LATERAL (
    SELECT ${userColumns('u')}
    FROM sessions s JOIN users u ON u.id = s.user_id
    WHERE s.id = r.sid AND s.ended_at IS NULL AND u.id = r.sub AND u.status = 'active'
      AND NOT EXISTS (SELECT 1 FROM blacklisted_tokens b WHERE b.token_hash = r.token_hash)) live`

// Ids are ours, from signed claims; one that is not a uuid would fail the whole batch's statement.
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

type Dependencies = Lifetimes & {
  prisma: PrismaClient
  pool: Pick<pg.Pool, 'query'>
  tokens: TokenService
  reuseGraceSeconds: number
  batching: BatchOptions
  stats: Pick<UserStats, 'record'>
}

export function createSessionStore({
  prisma,
  pool,
  tokens,
  accessTtlSeconds,
  refreshTtlSeconds,
  reuseGraceSeconds,
  batching,
  stats,
}: Dependencies) {
  const check = batched(async (claims: readonly VerifiedClaims<'access'>[]) => {
    const { rows } = await pool.query<User & { i: number }>({
      name: 'authenticate',
      text: authenticateSql,
      values: [claims.map((each) => each.sid), claims.map((each) => each.sub), claims.map((each) => tokenHash(each.jti))],
    })
    const users: (User | null)[] = claims.map(() => null)
    for (const { i, ...user } of rows) users[i - 1] = user
    return users
  }, batching)

  /** A new refresh token for the session (stored by its digest) and an access token beside it. */
  async function issuePair(tx: Transaction, user: User, sessionId: string): Promise<TokenPair> {
    const { pair, refresh } = signPair(tokens, user, sessionId, { accessTtlSeconds, refreshTtlSeconds })
    await tx.refreshToken.create({ data: { tokenHash: tokenHash(refresh.jti), sessionId, expiresAt: refresh.expiresAt } })
    await tx.session.update({ where: { id: sessionId }, data: { lastUsedAt: new Date(), expiresAt: refresh.expiresAt } })
    return pair
  }

  const endSessions = (tx: Pick<PrismaClient, 'session'>, where: { id: string } | { userId: string }, reason: string) =>
    tx.session.updateMany({ where: { ...where, endedAt: null }, data: { endedAt: new Date(), endReason: reason } })

  return {
    endSessions,

    /** The user behind a live access token, or null when its session ended, its user is banned or it was revoked. */
    authenticate: (claims: VerifiedClaims<'access'>): Promise<User | null> =>
      uuid.test(claims.sid) && uuid.test(claims.sub) ? check(claims) : Promise.resolve(null),

    /** Rotates a refresh token: one use each; a copy used later ends its whole session. */
    async refresh(token: string): Promise<TokenPair> {
      let claims: VerifiedClaims<'refresh'>
      try {
        claims = tokens.verify('refresh', token)
      } catch {
        throw new errors.REFRESH_INVALID()
      }
      const digest = tokenHash(claims.jti)
      const result = await prisma.$transaction(async (tx) => {
        const now = new Date()
        const spent = await tx.refreshToken.updateMany({
          where: { tokenHash: digest, spentAt: null, expiresAt: { gt: now } },
          data: { spentAt: now },
        })
        if (spent.count === 0) {
          const known = await tx.refreshToken.findUnique({ where: { tokenHash: digest } })
          // Spent a while ago: the token was copied. A moment ago: two requests raced with it.
          if (known?.spentAt && known.spentAt.getTime() < now.getTime() - reuseGraceSeconds * 1000) {
            await endSessions(tx, { id: known.sessionId }, 'refresh_reuse')
          }
          return null
        }
        const session = await tx.session.findFirst({
          where: { id: claims.sid, endedAt: null, user: { id: claims.sub, status: 'active' } },
          include: { user: true },
        })
        return session ? issuePair(tx, session.user, session.id) : null
      })
      if (!result) throw new errors.REFRESH_INVALID()
      return result
    },

    /** Ends this session (`local`) or every session of the user (`global`); the access token stays refused until it expires. */
    async logout(claims: VerifiedClaims<'access'>, scope: 'local' | 'global') {
      await prisma.$transaction([
        prisma.blacklistedToken.createMany({
          data: [{ tokenHash: tokenHash(claims.jti), expiresAt: new Date(claims.exp * 1000) }],
          skipDuplicates: true,
        }),
        prisma.session.updateMany({
          where: { ...(scope === 'global' ? { userId: claims.sub } : { id: claims.sid }), endedAt: null },
          data: { endedAt: new Date(), endReason: scope === 'global' ? 'logout_all' : 'logout' },
        }),
      ])
      // Sessions keep no channel: a logout counts under ''.
      stats.record('logout', '')
    },
  }
}

export type SessionStore = ReturnType<typeof createSessionStore>

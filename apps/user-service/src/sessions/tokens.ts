import { createHash } from 'node:crypto'
import type { SignedToken, TokenService } from '@otp-suite/jwt'
import type { PrismaClient, User } from '../generated/prisma/client.ts'

/** Tokens are kept by a digest of their jti: a leaked table gives nothing to present. */
export const tokenHash = (jti: string) => createHash('sha256').update(jti).digest()

/** A Prisma interactive transaction's client. */
export type Transaction = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0]

/** The columns of `users` under the names of the Prisma model, for the hand-written statements. */
export const userColumns = (alias: string) =>
  [
    'id',
    'user_type',
    'phone',
    'phone_verified',
    'email',
    'email_verified',
    'first_name',
    'last_name',
    'role',
    'status',
    'created_at',
    'updated_at',
    'last_login_at',
    'email_links_sent_at',
  ]
    .map((column) => `${alias}.${column} AS "${column.replace(/_(\w)/g, (_, letter: string) => letter.toUpperCase())}"`)
    .join(', ')

export type TokenPair = { accessToken: string; refreshToken: string; tokenType: 'Bearer'; expiresIn: number }
export type Lifetimes = { accessTtlSeconds: number; refreshTtlSeconds: number }

/** The access and refresh tokens of a session; `refreshJti` when the refresh token was stored before it was signed. */
export function signPair(tokens: TokenService, user: User, sessionId: string, lifetimes: Lifetimes, refreshJti?: string) {
  const refresh: SignedToken = tokens.sign(
    'refresh',
    { sub: user.id, sid: sessionId },
    { expiresIn: lifetimes.refreshTtlSeconds, jti: refreshJti },
  )
  const access = tokens.sign(
    'access',
    { sub: user.id, sid: sessionId, role: user.role as 'user' | 'admin', userType: user.userType as 'live' | 'demo' },
    { expiresIn: lifetimes.accessTtlSeconds },
  )
  const pair: TokenPair = { accessToken: access.token, refreshToken: refresh.token, tokenType: 'Bearer', expiresIn: access.expiresIn }
  return { pair, refresh }
}

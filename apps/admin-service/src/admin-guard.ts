import type { IntrospectBatchReply, IntrospectReply } from '@otp-suite/contract'
import { batched } from '@otp-suite/db'
import type { VerifiedClaims } from '@otp-suite/jwt'
import type { FastifyRequest } from 'fastify'
import { LRUCache } from 'lru-cache'
import { errors } from './errors.ts'
import type { Upstream } from './upstream/upstream.ts'

declare module 'fastify' {
  interface FastifyRequest {
    /** The admin behind the request, once user-service confirmed the token is live and theirs. */
    adminId: string | null
  }
}

/** The most tokens in one introspection call; user-service takes up to 100. */
const INTROSPECT_BATCH_MAX = 64

/**
 * Decides whether an access token may administer, asking user-service on every request: a token
 * logged out, banned or demoted a moment ago is refused at once. Only "revoked" is remembered (until
 * the token would expire anyway), since that answer cannot change; "active" never is. The tokens of
 * requests that arrive together go in one call (one batch out at a time; the next grows meanwhile),
 * each token once.
 */
export function createAdminGuard(userService: Upstream, revokedCacheSize: number) {
  const revoked = new LRUCache<string, true>({ max: revokedCacheSize })
  const introspect = batched(
    async (tokens: readonly string[]) => {
      const unique = [...new Set(tokens)]
      const { results } = await userService.call<IntrospectBatchReply>('POST', '/internal/v1/tokens/introspect/batch', {
        body: { tokens: unique },
      })
      if (results.length !== unique.length) {
        throw new errors.UPSTREAM_UNAVAILABLE(userService.name, {
          cause: new Error(`${results.length} answers to ${unique.length} tokens`),
        })
      }
      const answers = new Map(unique.map((token, i) => [token, results[i] as IntrospectReply]))
      return tokens.map((token) => answers.get(token) as IntrospectReply)
    },
    { maxBatch: INTROSPECT_BATCH_MAX, concurrency: 1 },
  )

  /** The revocation check of @otp-suite/jwt: true refuses the token with 401 TOKEN_REVOKED. */
  async function isRevoked(claims: VerifiedClaims<'access'>, request: FastifyRequest) {
    // Not an admin by its own claims: refused as FORBIDDEN without asking anyone.
    if (claims.role !== 'admin') return false
    if (revoked.has(claims.jti)) return true
    const answer = await introspect(request.headers.authorization?.slice('Bearer '.length) as string)
    // Demoted meanwhile counts as revoked too (user-service ends a demoted admin's sessions anyway).
    if (!answer.active || answer.sub !== claims.sub || answer.role !== 'admin') {
      revoked.set(claims.jti, true, { ttl: Math.max(1000, claims.exp * 1000 - Date.now()) })
      return true
    }
    request.adminId = claims.sub
    return false
  }

  /** A preHandler after `requireToken('access')`: lets only a confirmed admin through. */
  async function requireAdmin(request: FastifyRequest) {
    if (request.adminId === null) throw new errors.FORBIDDEN()
  }

  return { isRevoked, requireAdmin }
}

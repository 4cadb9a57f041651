import { ACCESS_TOKEN_MAX_LENGTH, INTROSPECT_BATCH_MAX, type IntrospectBatchReply, type IntrospectReply } from '@otp-suite/contract'
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

/** Introspection calls out at once; the requests that arrive meanwhile gather into the next. */
const INTROSPECT_CALLS_OUT = 4

/**
 * Decides whether an access token may administer, asking user-service on every request: a token
 * logged out, banned or demoted a moment ago is refused at once. Only "revoked" is remembered (until
 * the token would expire anyway), since that answer cannot change; "active" never is. The tokens of
 * requests that arrive together go in one call, each token once; a request never joins a call
 * already sent, so no answer predates it.
 */
export function createAdminGuard(userService: Upstream, revokedCacheSize: number) {
  const revoked = new LRUCache<string, true>({ max: revokedCacheSize })
  // Whatever went wrong with a call (user-service refusing the batch too) is this service's
  // problem, not the admin's: 503, with the cause logged.
  const unavailable = (cause: unknown) =>
    cause instanceof errors.UPSTREAM_UNAVAILABLE ? cause : new errors.UPSTREAM_UNAVAILABLE(userService.name, { cause })
  const introspectTogether = batched(
    async (tokens: readonly string[]) => {
      const unique = [...new Set(tokens)]
      const reply = await userService.call<IntrospectBatchReply>('POST', '/internal/v1/tokens/introspect/batch', {
        body: { tokens: unique },
      })
      if (!Array.isArray(reply.results) || reply.results.length !== unique.length) {
        throw new Error(`${reply.results?.length} answers to ${unique.length} tokens`)
      }
      const answers = new Map(unique.map((token, i) => [token, reply.results[i] as IntrospectReply]))
      return tokens.map((token) => answers.get(token) as IntrospectReply)
    },
    // Each request's answer within the upstream's timeout of its arrival, however many calls are ahead of it.
    { maxBatch: INTROSPECT_BATCH_MAX, concurrency: INTROSPECT_CALLS_OUT, maxWaitMs: userService.timeoutMs, alsoWhenSent: true },
  )

  async function introspect(token: string): Promise<IntrospectReply> {
    // Longer than any access token the suite signs: not one of them.
    if (token.length > ACCESS_TOKEN_MAX_LENGTH) return { active: false }
    // Whatever failed (the call, its answer, or the wait for it) is a 503 here.
    return introspectTogether(token).catch((cause) => Promise.reject(unavailable(cause)))
  }

  /** The revocation check of @otp-suite/jwt: true refuses the token with 401 TOKEN_REVOKED. */
  async function isRevoked(claims: VerifiedClaims<'access'>, request: FastifyRequest) {
    // Not an admin by its own claims: refused as FORBIDDEN without asking anyone.
    if (claims.role !== 'admin') return false
    if (revoked.has(claims.jti)) return true
    // The plugin took the claims from this header, `Bearer <token>`.
    const answer = await introspect((request.headers.authorization as string).slice('Bearer '.length))
    // Demoted meanwhile counts as revoked too (user-service ends a demoted admin's sessions anyway).
    if (!answer.active || answer.sub !== claims.sub || answer.role !== 'admin') {
      revoked.set(claims.jti, true, { ttl: Math.max(1000, claims.exp * 1000 - Date.now()) })
      return true
    }
    request.adminId = claims.sub
    return false
  }

  /** A hook after `requireToken('access')`: lets only a confirmed admin through. */
  async function requireAdmin(request: FastifyRequest) {
    if (request.adminId === null) throw new errors.FORBIDDEN()
  }

  return { isRevoked, requireAdmin }
}

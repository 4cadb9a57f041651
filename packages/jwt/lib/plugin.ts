import fastifyJwt, { type JwtHeader, type JwtVerifyFunction, type TokenOrHeader } from '@fastify/jwt'
import type { FastifyPluginAsync, FastifyRequest, onRequestAsyncHookHandler } from 'fastify'
import fp from 'fastify-plugin'
import { TOKEN_KINDS, type TokenKind, toVerifiedClaims, type VerifiedClaims } from './claims.ts'
import { errors, toTokenError } from './errors.ts'
import { rulesOf, type TokenService } from './token-service.ts'

export interface TokenPluginOptions {
  tokens: TokenService
  /**
   * The service's revocation check of access tokens (blacklist, introspection), the one kind a user
   * can revoke. Called only for a token whose signature, expiry and kind already passed; true
   * answers 401 TOKEN_REVOKED. A rejection (store down) is passed on as is.
   */
  isRevoked?: (claims: VerifiedClaims<'access'>, request: FastifyRequest) => boolean | Promise<boolean>
}

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * A hook that lets the request through only with a valid Bearer token of `kind`. Run it
     * `onRequest` (before anything else is read), or `preValidation` on a route with a body (read
     * within the body limit, not yet judged): either way a caller without one gets its 401, not
     * a word on what the route accepts.
     */
    requireToken(kind: TokenKind): onRequestAsyncHookHandler
  }
  interface FastifyRequest {
    /** Set by `requireToken`; narrow it with `getClaims(request, kind)` or by its `typ`. */
    tokenClaims: VerifiedClaims | null
  }
}

// The request decorator @fastify/jwt adds for a namespace; only requireToken calls it.
const verifyMethodOf = (kind: TokenKind) => `${kind}JwtVerify` as const
type VerifyingRequest = Record<ReturnType<typeof verifyMethodOf>, JwtVerifyFunction>

const bearerOf = (request: FastifyRequest) => /^Bearer ([\w.-]{1,4096})$/.exec(request.headers.authorization ?? '')?.[1]

const tokenPlugin: FastifyPluginAsync<TokenPluginOptions> = async (fastify, { tokens, isRevoked }) => {
  const rules = rulesOf(tokens)
  const refuseRevoked = async (claims: VerifiedClaims, request: FastifyRequest) => {
    if (claims.typ === 'access' && isRevoked && (await isRevoked(claims, request))) throw new errors.TOKEN_REVOKED()
  }

  // One @fastify/jwt namespace per kind, each verifying with that kind's audience and the shared
  // keys, so requireToken('access') can never accept a proof or refresh token.
  for (const kind of TOKEN_KINDS) {
    await fastify.register(fastifyJwt, {
      namespace: kind,
      decoratorName: 'tokenClaims',
      // Complete decoding hands the secret callback the header, whose kid picks the key.
      decode: { complete: true },
      secret: async (_request: FastifyRequest, decoded: TokenOrHeader) => rules.secretFor((decoded as { header: JwtHeader }).header),
      verify: rules.verifierOptions(kind),
      // Async on purpose: @fastify/jwt routes a rejected promise to the request, a sync throw it does not.
      trusted: async (request, payload) => {
        await refuseRevoked(toVerifiedClaims(kind, payload), request)
        return true
      },
      // Runs after trusted accepted the same payload, so it cannot throw here.
      formatUser: (payload) => toVerifiedClaims(kind, payload as Record<string, unknown>),
    })
  }

  fastify.decorate('requireToken', (kind: TokenKind) => {
    // Caught when the route is declared, not as a 500 on its first request.
    if (!TOKEN_KINDS.includes(kind)) throw new TypeError(`Unknown token kind: ${String(kind)}`)
    const method = verifyMethodOf(kind)
    return async function requireToken(request: FastifyRequest) {
      // A token verified before is taken at its word until it expires; its revocation is checked every time.
      const token = bearerOf(request)
      const known = token && rules.remembered(kind, token)
      if (known) {
        await refuseRevoked(known, request)
        request.tokenClaims = known
        return
      }
      try {
        await (request as unknown as VerifyingRequest)[method]()
      } catch (error) {
        throw toTokenError(error)
      }
      if (token && request.tokenClaims) rules.remember(kind, token, request.tokenClaims)
    }
  })
}

export const jwtPlugin = fp(tokenPlugin, { fastify: '5.x', name: '@otp-suite/jwt' })

/**
 * The claims `requireToken(kind)` put on the request, typed for that kind. A route that did not
 * require this kind gets TOKEN_MISSING rather than someone else's claims: it fails closed.
 */
export function getClaims<K extends TokenKind>(request: FastifyRequest, kind: K): VerifiedClaims<K> {
  const claims = request.tokenClaims
  if (claims?.typ !== kind) throw new errors.TOKEN_MISSING()
  return claims as VerifiedClaims<K>
}

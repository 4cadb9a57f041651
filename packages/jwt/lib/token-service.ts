import { createHmac, createSecretKey, randomUUID } from 'node:crypto'
import { createDecoder, createVerifier, type VerifierOptions } from 'fast-jwt'
import { LRUCache } from 'lru-cache'
import {
  AUDIENCES,
  DEFAULT_LIFETIMES,
  type TokenClaims,
  type TokenKind,
  toSignableClaims,
  toVerifiedClaims,
  type VerifiedClaims,
} from './claims.ts'
import { errors, toTokenError } from './errors.ts'
import { createKeyRing } from './keys.ts'

export interface TokenServiceOptions {
  secret: string
  /** Retired secrets whose tokens are still accepted until they expire; never used to sign. */
  previousSecrets?: string[]
  /** Default "otp-suite". */
  issuer?: string
  /** Default 5. */
  clockToleranceSeconds?: number
  /** Stricter secret rules; defaults to NODE_ENV === 'production' so forgetting it fails safe. */
  production?: boolean
}

export interface SignedToken {
  token: string
  jti: string
  expiresAt: Date
  /** Seconds, as clients expect in `expiresIn` fields. */
  expiresIn: number
}

export interface TokenService {
  /**
   * `jti` defaults to a random UUID; a caller gives its own when it must store the token's id before
   * the claims it signs are known (one database round trip for both).
   */
  sign<K extends TokenKind>(kind: K, claims: TokenClaims[K], options?: { expiresIn?: number; jti?: string }): SignedToken
  /** Throws TOKEN_MISSING, TOKEN_INVALID or TOKEN_EXPIRED from `errors`. */
  verify<K extends TokenKind>(kind: K, token: string | null | undefined): VerifiedClaims<K>
}

/** The pieces both verification paths (plain and the Fastify plugin) are built from. */
export interface VerificationRules {
  verifierOptions(kind: TokenKind): VerifierOptions
  secretFor(header: { kid?: unknown }): string
  /** The claims of `token` as verified before, while it has not expired. */
  remembered<K extends TokenKind>(kind: K, token: string): VerifiedClaims<K> | undefined
  /** Keeps `claims`, just verified from `token`, for the kinds a client shows again and again. */
  remember<K extends TokenKind>(kind: K, token: string, claims: VerifiedClaims<K>): void
}

/**
 * The kinds a client shows on request after request: an access token on each of its user's
 * requests for its minutes, a service token on each call for its minutes. The same string is the same
 * token, so once one has been verified only the clock needs to be read again: the decode, HMAC and
 * claim checks are skipped. Revocation is not remembered (callers check it every time); proof,
 * refresh and email tokens are spent once and never remembered.
 */
const REMEMBERED_KINDS: readonly TokenKind[] = ['access', 'service']
/** Verified tokens remembered, the least recently shown forgotten first (about 1 KB each). */
const REMEMBERED_TOKENS = 10_000

function rememberedTokens() {
  // One for both kinds: a token's claims name its kind, and a string is a token of one kind only.
  const known = new LRUCache<string, VerifiedClaims>({ max: REMEMBERED_TOKENS })
  return {
    remembered<K extends TokenKind>(kind: K, token: string) {
      const claims = known.get(token)
      if (claims?.typ !== kind) return undefined
      if (claims.exp * 1000 > Date.now()) return claims as VerifiedClaims<K>
      // Expired: forgotten, and verified again for the error that says so.
      known.delete(token)
      return undefined
    },
    remember<K extends TokenKind>(kind: K, token: string, claims: VerifiedClaims<K>) {
      // Past its exp but within the clock leeway: verified in full each time, not kept to be dropped.
      if (!REMEMBERED_KINDS.includes(kind) || claims.exp * 1000 <= Date.now()) return
      // Shared by every request that shows the token: none may change it.
      known.set(token, Object.freeze(claims) as VerifiedClaims)
    },
  }
}

// Kept off the public object so that holding a TokenService never hands out the raw secrets.
const rulesByService = new WeakMap<TokenService, VerificationRules>()

export function rulesOf(tokens: TokenService): VerificationRules {
  const rules = rulesByService.get(tokens)
  if (!rules) throw new TypeError('tokens must be a TokenService made by createTokenService')
  return rules
}

// Presence first: fast-jwt only checks aud, iss and exp when the token carries them.
const REQUIRED_CLAIMS = ['typ', 'sub', 'jti', 'iat', 'exp', 'aud', 'iss']

export function createTokenService(options: TokenServiceOptions): TokenService {
  const { issuer = 'otp-suite', clockToleranceSeconds = 5, production = process.env.NODE_ENV === 'production' } = options
  if (!Number.isFinite(clockToleranceSeconds) || clockToleranceSeconds < 0) {
    throw new RangeError('clockToleranceSeconds must be a non-negative number')
  }
  const keys = createKeyRing(options.secret, options.previousSecrets ?? [], production)

  const rules: VerificationRules = {
    verifierOptions: (kind) => ({
      algorithms: ['HS256'],
      allowedAud: AUDIENCES[kind],
      allowedIss: issuer,
      requiredClaims: REQUIRED_CLAIMS,
      clockTolerance: clockToleranceSeconds * 1000,
    }),
    secretFor: keys.secretFor,
    ...rememberedTokens(),
  }

  // HS256 under one fixed header is a few lines of node:crypto, and on a busy server a fraction of
  // the cost of a general-purpose signer (measured in otp-service's bench). The output is what
  // fast-jwt would make (same header, key bytes and encoding); verifying stays with fast-jwt.
  const signingKey = createSecretKey(Buffer.from(keys.current.secret, 'utf8'))
  const encodedHeader = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: keys.current.kid })).toString('base64url')
  const signer = (payload: object) => {
    const input = `${encodedHeader}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`
    return `${input}.${createHmac('sha256', signingKey).update(input).digest('base64url')}`
  }
  const decode = createDecoder({ complete: true })
  const verifiers = new Map<string, (token: string) => Record<string, unknown>>()

  function verifierFor(kind: TokenKind, header: { kid?: unknown }) {
    const key = keys.secretFor(header)
    const cacheKey = `${kind} ${String(header.kid)}`
    let verifier = verifiers.get(cacheKey)
    if (!verifier) {
      verifier = createVerifier({ ...rules.verifierOptions(kind), key })
      verifiers.set(cacheKey, verifier)
    }
    return verifier
  }

  const service: TokenService = {
    sign(kind, claims, { expiresIn = DEFAULT_LIFETIMES[kind], jti = randomUUID() } = {}) {
      if (!Number.isInteger(expiresIn) || expiresIn <= 0) {
        throw new RangeError('expiresIn must be a positive whole number of seconds')
      }
      const iat = Math.floor(Date.now() / 1000)
      const exp = iat + expiresIn
      const payload = { ...toSignableClaims(kind, claims), typ: kind, jti, iat, exp, aud: AUDIENCES[kind], iss: issuer }
      return { token: signer(payload), jti, expiresAt: new Date(exp * 1000), expiresIn }
    },

    verify(kind, token) {
      if (!token) throw new errors.TOKEN_MISSING()
      const known = rules.remembered(kind, token)
      if (known) return known
      let claims: VerifiedClaims<typeof kind>
      try {
        const { header } = decode(token)
        claims = toVerifiedClaims(kind, verifierFor(kind, header)(token))
      } catch (error) {
        throw toTokenError(error)
      }
      rules.remember(kind, token, claims)
      return claims
    },
  }
  rulesByService.set(service, rules)
  return service
}

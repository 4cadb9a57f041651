import { CHANNELS, PURPOSES, USER_TYPES } from '@otp-suite/destination'
import { errors } from './errors.ts'

const ROLES = ['user', 'admin'] as const
const text = 'string'

/**
 * The claims each kind of token carries. Both the TypeScript types and the runtime checks are
 * derived from this one table, so they cannot drift apart: a field is either any non-empty
 * string or one of a fixed list of values.
 */
const CLAIM_SHAPES = {
  access: { sub: text, role: ROLES, userType: USER_TYPES, sid: text },
  refresh: { sub: text, sid: text },
  otp_proof: { sub: text, channel: CHANNELS, purpose: PURPOSES, userType: USER_TYPES },
  email_verify: { sub: text, email: text },
  service: { sub: text },
} as const satisfies Record<string, Record<string, typeof text | readonly string[]>>

export type TokenKind = keyof typeof CLAIM_SHAPES
export type Role = (typeof ROLES)[number]

type Shape<K extends TokenKind> = (typeof CLAIM_SHAPES)[K]
type FieldType<F> = F extends readonly (infer V)[] ? V : string

/** What a caller puts into a token of each kind. */
export type TokenClaims = {
  [K in TokenKind]: { -readonly [F in keyof Shape<K>]: FieldType<Shape<K>[F]> }
}

/**
 * What verification hands back. Distributes over kinds, so `VerifiedClaims` with no argument is
 * a union discriminated by `typ`. Read-only: the claims of a token shown again are the ones every
 * request that showed it shares.
 */
export type VerifiedClaims<K extends TokenKind = TokenKind> = K extends TokenKind
  ? Readonly<TokenClaims[K] & { typ: K; jti: string; iat: number; exp: number }>
  : never

export const TOKEN_KINDS = Object.keys(CLAIM_SHAPES) as TokenKind[]

/**
 * A distinct audience per kind: `typ` alone would already separate kinds in this package, but the
 * audience is the claim any other JWT library checks too, so a token never works where another
 * kind is expected even if it is verified by code that forgets `typ`.
 */
export const AUDIENCES: Record<TokenKind, string> = {
  access: 'otp-suite:api',
  refresh: 'otp-suite:refresh',
  otp_proof: 'otp-suite:otp-proof',
  email_verify: 'otp-suite:email-verify',
  service: 'otp-suite:internal',
}

/** Seconds; per API.md (access 15 min, refresh 30 days, proof 5 min, email link 24 h). */
export const DEFAULT_LIFETIMES: Record<TokenKind, number> = {
  access: 900,
  refresh: 30 * 24 * 3600,
  otp_proof: 300,
  email_verify: 86_400,
  service: 300,
}

function fieldProblem(name: string, rule: typeof text | readonly string[], value: unknown) {
  if (typeof value !== 'string' || value === '') return `${name} must be a non-empty string`
  if (rule !== text && !rule.includes(value)) return `${name} must be one of ${rule.join(', ')}`
  return undefined
}

/** Each kind's fields and rules as a list, made once: checking runs on every sign and verify. */
const CLAIM_RULES = Object.fromEntries(TOKEN_KINDS.map((kind) => [kind, Object.entries(CLAIM_SHAPES[kind])])) as Record<
  TokenKind,
  [string, typeof text | readonly string[]][]
>

function claimsProblem(kind: TokenKind, source: Record<string, unknown>) {
  for (const [name, rule] of CLAIM_RULES[kind]) {
    const problem = fieldProblem(name, rule, source[name])
    if (problem) return problem
  }
  return undefined
}

/** Copies exactly the kind's own fields, so nothing else (an `aud`, an `exp`) slips through. */
function pickClaims<K extends TokenKind>(kind: K, source: Record<string, unknown>) {
  const picked: Record<string, unknown> = {}
  for (const [name] of CLAIM_RULES[kind]) picked[name] = source[name]
  return picked as TokenClaims[K]
}

/** Refuses to mint a token that verification would refuse later (say a role read from a bad row). */
export function toSignableClaims<K extends TokenKind>(kind: K, claims: TokenClaims[K]): TokenClaims[K] {
  const problem = claimsProblem(kind, claims)
  if (problem) throw new TypeError(`Invalid ${kind} token claims: ${problem}`)
  return pickClaims(kind, claims)
}

/**
 * Checks a payload whose signature, expiry, audience and issuer were already verified, and returns
 * the typed claims; anything that is not a well-formed token of `kind` is TOKEN_INVALID.
 */
export function toVerifiedClaims<K extends TokenKind>(kind: K, payload: Record<string, unknown>): VerifiedClaims<K> {
  const { typ, jti, iat, exp } = payload
  const wellFormed = typ === kind && typeof jti === 'string' && typeof iat === 'number' && typeof exp === 'number'
  if (!wellFormed || claimsProblem(kind, payload)) throw new errors.TOKEN_INVALID()
  return { ...pickClaims(kind, payload), typ, jti, iat, exp } as VerifiedClaims<K>
}

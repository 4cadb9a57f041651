import { createHash } from 'node:crypto'
import { errors } from './errors.ts'

/**
 * HS256 is only as strong as its key: 32 bytes matches the hash size and is what API.md asks of
 * JWT_SECRET in production. Outside production, 16 bytes still rules out the accidental
 * "test"/"abc" secrets that make a local setup silently insecure, while letting developers type
 * a memorable value.
 */
const MIN_BYTES_PRODUCTION = 32
const MIN_BYTES_DEVELOPMENT = 16

/** Values copied from tutorials and .env examples; long enough to pass the length check alone. */
const WEAK_EXACT = new Set(['secret', 'changeme', 'change-me', 'your-secret-key', 'jwt-secret', 'password'])
const WEAK_PREFIXES = ['dev-secret', 'development-secret', 'test-secret', 'changeme', 'change-me', 'your-secret', 'secret']

function isKnownWeak(secret: string) {
  const lower = secret.trim().toLowerCase()
  return WEAK_EXACT.has(lower) || WEAK_PREFIXES.some((prefix) => lower.startsWith(prefix))
}

function assertUsable(secret: string, name: string, production: boolean) {
  const min = production ? MIN_BYTES_PRODUCTION : MIN_BYTES_DEVELOPMENT
  if (Buffer.byteLength(secret, 'utf8') < min) {
    throw new Error(`${name} must be at least ${min} bytes${production ? ' in production' : ''}`)
  }
  if (production && isKnownWeak(secret)) {
    throw new Error(`${name} is a well-known default value; set a random secret in production`)
  }
}

/**
 * Derived from the secret so rotation needs no extra configuration. The label keeps this hash
 * from being a plain SHA-256 of the secret, and 16 base64url characters (96 bits) only need to
 * tell a handful of live keys apart.
 */
function kidOf(secret: string) {
  return createHash('sha256').update(`otp-suite-jwt-kid:${secret}`).digest('base64url').slice(0, 16)
}

export interface SigningKey {
  kid: string
  secret: string
}

export interface KeyRing {
  current: SigningKey
  /** The secret for a token's header; unknown or missing kids are refused, never guessed. */
  secretFor(header: { kid?: unknown }): string
}

export function createKeyRing(secret: string, previousSecrets: string[], production: boolean): KeyRing {
  assertUsable(secret, 'JWT_SECRET', production)
  previousSecrets.forEach((previous, index) => {
    assertUsable(previous, `JWT_PREVIOUS_SECRETS[${index}]`, production)
  })

  const current = { kid: kidOf(secret), secret }
  const byKid = new Map<string, string>()
  for (const key of [...previousSecrets, secret]) byKid.set(kidOf(key), key)

  return {
    current,
    secretFor(header) {
      const found = typeof header.kid === 'string' ? byKid.get(header.kid) : undefined
      if (!found) throw new errors.TOKEN_INVALID()
      return found
    },
  }
}

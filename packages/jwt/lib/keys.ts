import { createHash } from 'node:crypto'
import { errors } from './errors.ts'
import { assertStrongSecret } from './secrets.ts'

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
  assertStrongSecret('JWT_SECRET', secret, { production })
  previousSecrets.forEach((previous, index) => {
    assertStrongSecret(`JWT_PREVIOUS_SECRETS[${index}]`, previous, { production })
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

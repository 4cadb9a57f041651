import { type Static, Type } from 'typebox'
import { createTokenService, type TokenService } from './token-service.ts'

/** A service's token settings, to spread into its config schema (service-kit's `defineConfig`). */
export const jwtConfigProperties = {
  /** Signs every token; 32 bytes or more, and random, in production. */
  JWT_SECRET: Type.String({ minLength: 1 }),
  /** Retired secrets, comma-separated: their tokens still verify until they expire. */
  JWT_PREVIOUS_SECRETS: Type.Optional(Type.String()),
  /** Default "otp-suite". */
  JWT_ISSUER: Type.Optional(Type.String()),
}

const JwtConfig = Type.Object(jwtConfigProperties)
/** NODE_ENV is required so that a forgotten one cannot relax production's secret rules. */
export type JwtConfig = Static<typeof JwtConfig> & { NODE_ENV: string }

const trimmedList = (value = '') =>
  value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)

/** The token service a loaded config describes. */
export function tokenServiceFromConfig(config: JwtConfig): TokenService {
  // Trimmed alike, so a secret keeps its kid when it moves from JWT_SECRET to the previous list.
  const secret = config.JWT_SECRET.trim()
  if (!secret) throw new Error('JWT_SECRET is not set')
  return createTokenService({
    secret,
    previousSecrets: trimmedList(config.JWT_PREVIOUS_SECRETS),
    issuer: config.JWT_ISSUER?.trim() || undefined,
    production: config.NODE_ENV === 'production',
  })
}

/**
 * The only code in the suite that signs or verifies tokens.
 *
 *   const Config = defineConfig({ ...jwtConfigProperties, ... })     // service-kit
 *   const tokens = tokenServiceFromConfig(loadConfig(Config))
 *   const { token, expiresIn } = tokens.sign('access', { sub, role, userType, sid })
 *   await app.register(jwtPlugin, { tokens, isRevoked: (claims) => blacklist.has(claims.jti) })
 *   app.get('/me', { onRequest: app.requireToken('access') }, (req) => getClaims(req, 'access').sub)
 */
export {
  AUDIENCES,
  DEFAULT_LIFETIMES,
  type Role,
  TOKEN_KINDS,
  type TokenClaims,
  type TokenKind,
  type VerifiedClaims,
} from './lib/claims.ts'
export { type JwtConfig, jwtConfigProperties, tokenServiceFromConfig } from './lib/config.ts'
export { errors, securitySchemes } from './lib/errors.ts'
export { getClaims, jwtPlugin, type TokenPluginOptions } from './lib/plugin.ts'
export { assertStrongSecret } from './lib/secrets.ts'
export { serviceAuthorization } from './lib/service-credentials.ts'
export {
  createTokenService,
  type SignedToken,
  type TokenService,
  type TokenServiceOptions,
} from './lib/token-service.ts'

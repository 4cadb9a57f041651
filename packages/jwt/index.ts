/**
 * The only code in the suite that signs or verifies tokens.
 *
 *   const tokens = tokenServiceFromEnv()
 *   const { token, expiresIn } = tokens.sign('access', { sub, role, userType, sid })
 *   await app.register(jwtPlugin, { tokens, isRevoked: (claims) => blacklist.has(claims.jti) })
 *   app.get('/me', { preHandler: app.requireToken('access') }, (req) => getClaims(req, 'access').sub)
 */
export {
  AUDIENCES,
  type Channel,
  DEFAULT_LIFETIMES,
  type Role,
  TOKEN_KINDS,
  type TokenClaims,
  type TokenKind,
  type UserType,
  type VerifiedClaims,
} from './lib/claims.ts'
export { errors } from './lib/errors.ts'
export { getClaims, jwtPlugin, type TokenPluginOptions } from './lib/plugin.ts'
export {
  createTokenService,
  type SignedToken,
  type TokenService,
  type TokenServiceOptions,
  tokenServiceFromEnv,
} from './lib/token-service.ts'

import createError from '@fastify/error'

/**
 * Every verification failure a caller can see. Messages are fixed text: they never echo the token,
 * a key or the library's reason (which can name the failing check); the reason stays in `cause`
 * for the logs.
 */
export const errors = {
  TOKEN_MISSING: createError('TOKEN_MISSING', 'A Bearer token is required', 401),
  TOKEN_INVALID: createError('TOKEN_INVALID', 'The token is invalid', 401),
  TOKEN_EXPIRED: createError('TOKEN_EXPIRED', 'The token has expired', 401),
  TOKEN_REVOKED: createError('TOKEN_REVOKED', 'The token has been revoked', 401),
}

const catalogued = Object.values(errors)

/**
 * Translates what fast-jwt (FAST_JWT_*) and @fastify/jwt (FST_JWT_*) throw into the catalog.
 * Anything else passes through untouched: a revocation store that is down must surface as the
 * outage it is (a 503 from the service's error handler), not as a bad token.
 */
export function toTokenError(error: unknown): unknown {
  if (catalogued.some((Catalogued) => error instanceof Catalogued)) return error
  const code = (error as { code?: unknown } | null)?.code
  if (typeof code !== 'string') return error
  if (code === 'FAST_JWT_EXPIRED' || code === 'FST_JWT_AUTHORIZATION_TOKEN_EXPIRED') {
    return new errors.TOKEN_EXPIRED({ cause: error })
  }
  // A non-Bearer Authorization header (Basic, say) carries no token for us either.
  if (code === 'FST_JWT_NO_AUTHORIZATION_IN_HEADER') return new errors.TOKEN_MISSING({ cause: error })
  if (code.startsWith('FAST_JWT_') || code.startsWith('FST_JWT_')) {
    return new errors.TOKEN_INVALID({ cause: error })
  }
  return error
}

/**
 * How a request proves who it is, for a service's OpenAPI document (a route declares
 * `security: [{ accessToken: [] }]`), with the errors a refused token answers.
 */
export const securitySchemes = {
  accessToken: {
    scheme: {
      type: 'http' as const,
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description: 'The access token of a sign-in (15 minutes); a new one comes from POST /api/v1/auth/refresh',
    },
    errors: [errors.TOKEN_MISSING, errors.TOKEN_INVALID, errors.TOKEN_EXPIRED, errors.TOKEN_REVOKED],
  },
  serviceToken: {
    scheme: {
      type: 'http' as const,
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description: 'A service token signed with the shared secret: for the other services of the suite only',
    },
    errors: [errors.TOKEN_MISSING, errors.TOKEN_INVALID, errors.TOKEN_EXPIRED],
  },
}

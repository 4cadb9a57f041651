import createError from '@fastify/error'

/** admin-service's own errors; token errors come from @otp-suite/jwt, upstream 4xx pass through as they are. */
export const errors = {
  FORBIDDEN: createError('FORBIDDEN', 'This needs an admin', 403),
  CANNOT_BAN_SELF: createError('CANNOT_BAN_SELF', 'An admin cannot ban themselves', 409),
  UPSTREAM_UNAVAILABLE: createError('UPSTREAM_UNAVAILABLE', '%s is unavailable; try again shortly', 503),
}

import createError from '@fastify/error'

/** admin-service's own errors; token errors come from @otp-suite/jwt. */
export const errors = {
  FORBIDDEN: createError('FORBIDDEN', 'This needs an admin', 403),
  USER_NOT_FOUND: createError('USER_NOT_FOUND', 'No such user', 404),
  CANNOT_BAN_SELF: createError('CANNOT_BAN_SELF', 'An admin cannot ban themselves', 409),
  UPSTREAM_UNAVAILABLE: createError('UPSTREAM_UNAVAILABLE', '%s is unavailable; try again shortly', 503),
}

import createError from '@fastify/error'

/** user-service's own errors; token errors (TOKEN_INVALID, TOKEN_REVOKED…) come from @otp-suite/jwt. */
export const errors = {
  PROOF_INVALID: createError('PROOF_INVALID', 'The proof is not valid, has expired or was already used', 401),
  REFRESH_INVALID: createError('REFRESH_INVALID', 'The refresh token is not valid, has expired or was already used', 401),
  USER_BANNED: createError('USER_BANNED', 'This account is banned', 403),
  USER_NOT_FOUND: createError('USER_NOT_FOUND', 'No such user', 404),
  PHONE_TAKEN: createError('PHONE_TAKEN', 'This phone number belongs to another account', 409),
}

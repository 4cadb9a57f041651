import createError from '@fastify/error'

/** user-service's own errors; token errors (TOKEN_INVALID, TOKEN_REVOKED…) come from @otp-suite/jwt. */
export const errors = {
  PROOF_INVALID: createError('PROOF_INVALID', 'The proof is not valid, has expired or was already used', 401),
  REFRESH_INVALID: createError('REFRESH_INVALID', 'The refresh token is not valid, has expired or was already used', 401),
  USER_BANNED: createError('USER_BANNED', 'This account is banned', 403),
  USER_NOT_FOUND: createError('USER_NOT_FOUND', 'No such user', 404),
  PHONE_TAKEN: createError('PHONE_TAKEN', 'This phone number belongs to another account', 409),
  EMAIL_TAKEN: createError('EMAIL_TAKEN', 'This email address belongs to another account', 409),
  LINK_EXPIRED: createError('LINK_EXPIRED', 'The link has expired; ask for a new one', 400),
  EMAIL_LINK_LIMIT: createError('EMAIL_LINK_LIMIT', 'Too many verification links asked for; try again later', 429),
  DELIVERY_FAILED: createError('DELIVERY_FAILED', 'The message could not be delivered', 502),
  LINK_INVALID: createError('LINK_INVALID', 'The link is not valid or was already used', 400),
}

import createError from '@fastify/error'

/** otp-service's own errors; a refused destination answers with the errors of @otp-suite/destination. */
export const errors = {
  OTP_SEND_COOLDOWN: createError('OTP_SEND_COOLDOWN', 'Wait before asking for another code', 429),
  OTP_SEND_LIMIT: createError('OTP_SEND_LIMIT', 'Too many codes %s', 429),
  OTP_NOT_FOUND: createError('OTP_NOT_FOUND', 'No code is pending for this destination', 404),
  DESTINATION_BLOCKED: createError('DESTINATION_BLOCKED', 'Codes cannot be sent to this destination', 403),
  DELIVERY_FAILED: createError('DELIVERY_FAILED', 'The code could not be delivered', 502),
  OTP_INVALID: createError('OTP_INVALID', 'The code is not correct', 400),
  OTP_EXPIRED: createError('OTP_EXPIRED', 'The code has expired or was already used', 410),
  OTP_TOO_MANY_ATTEMPTS: createError('OTP_TOO_MANY_ATTEMPTS', 'Too many wrong codes; try again later', 429),
}

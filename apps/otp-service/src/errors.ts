import createError from '@fastify/error'

export const errors = {
  INVALID_PHONE: createError('INVALID_PHONE', '%s', 400),
  PHONE_COUNTRY_NOT_ALLOWED: createError('PHONE_COUNTRY_NOT_ALLOWED', 'SMS to +%s is not enabled', 400),
  INVALID_EMAIL: createError('INVALID_EMAIL', 'The email address is not valid', 400),
  OTP_SEND_COOLDOWN: createError('OTP_SEND_COOLDOWN', 'Wait before asking for another code', 429),
  OTP_SEND_LIMIT: createError('OTP_SEND_LIMIT', '%s', 429),
  OTP_NOT_FOUND: createError('OTP_NOT_FOUND', 'No code is pending for this destination', 404),
  DELIVERY_FAILED: createError('DELIVERY_FAILED', 'The code could not be delivered', 502),
  OTP_INVALID: createError('OTP_INVALID', 'The code is not correct', 400),
  OTP_EXPIRED: createError('OTP_EXPIRED', 'The code has expired or was already used', 410),
  OTP_TOO_MANY_ATTEMPTS: createError('OTP_TOO_MANY_ATTEMPTS', 'Too many wrong codes; ask for a new one later', 429),
}

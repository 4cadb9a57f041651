import createError from '@fastify/error'

/** A destination refused: each is a 400 with a stable code. */
export const errors = {
  INVALID_PHONE: createError('INVALID_PHONE', 'The phone number is not valid', 400),
  PHONE_COUNTRY_NOT_ALLOWED: createError('PHONE_COUNTRY_NOT_ALLOWED', 'SMS to +%s is not enabled', 400),
  PHONE_TYPE_NOT_ALLOWED: createError('PHONE_TYPE_NOT_ALLOWED', 'SMS to %s numbers is not enabled', 400),
  INVALID_EMAIL: createError('INVALID_EMAIL', 'The email address is not valid: give a bare address such as name@example.com', 400),
}

export type DestinationError = InstanceType<(typeof errors)[keyof typeof errors]>

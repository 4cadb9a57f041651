import createError from '@fastify/error'

/** Errors shared by every service; each service keeps its own catalog beside this one. */
export const errors = {
  VALIDATION_ERROR: createError('VALIDATION_ERROR', 'The request is not valid: %s', 400),
  INVALID_BODY: createError('INVALID_BODY', 'The request body is not valid JSON', 400),
  PAYLOAD_TOO_LARGE: createError('PAYLOAD_TOO_LARGE', 'The request body is too large', 413),
  UNSUPPORTED_MEDIA_TYPE: createError('UNSUPPORTED_MEDIA_TYPE', 'Send the request body as application/json', 415),
  NOT_FOUND: createError('NOT_FOUND', 'Route %s not found', 404),
  SERVICE_UNAVAILABLE: createError('SERVICE_UNAVAILABLE', 'The service is temporarily unavailable', 503),
  INTERNAL_ERROR: createError('INTERNAL_ERROR', 'Internal Server Error', 500),
}

/** Extra public fields of an error reply (`attemptsLeft`, `retryAfter`); `retryAfter` also sets Retry-After. */
export type ErrorDetails = Record<string, string | number | boolean>

export function withDetails<E extends Error>(error: E, details: ErrorDetails): E & { details: ErrorDetails } {
  return Object.assign(error, { details })
}

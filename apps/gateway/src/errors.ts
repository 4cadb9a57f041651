import createError from '@fastify/error'

/** The gateway's own errors; everything else a client sees comes from the services as they sent it. */
export const errors = {
  UPSTREAM_UNAVAILABLE: createError('UPSTREAM_UNAVAILABLE', '%s is unavailable; try again shortly', 503),
  UPSTREAM_TIMEOUT: createError(
    'UPSTREAM_TIMEOUT',
    '%s gave no answer (it timed out or its connection broke); the request may or may not have been carried out',
    504,
  ),
  RATE_LIMITED: createError('RATE_LIMITED', 'Too many requests from this address; try again shortly', 429),
}

import { randomUUID } from 'node:crypto'
import { STATUS_CODES } from 'node:http'
import type { Socket } from 'node:net'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { type ErrorDetails, errors } from './errors.ts'

const fastifyErrorCodes: Record<string, () => FastifyError> = {
  FST_ERR_CTP_BODY_TOO_LARGE: () => new errors.PAYLOAD_TOO_LARGE(),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () => new errors.UNSUPPORTED_MEDIA_TYPE(),
  FST_ERR_CTP_INVALID_JSON_BODY: () => new errors.INVALID_BODY(),
  FST_ERR_CTP_EMPTY_JSON_BODY: () => new errors.INVALID_BODY(),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () => new errors.INVALID_BODY(),
  FST_ERR_BAD_URL: () => new errors.VALIDATION_ERROR('the path is not valid percent-encoding'),
  FST_ERR_MAX_PARAM_LENGTH: () => new errors.VALIDATION_ERROR('a part of the path is too long'),
}

type ServiceError = FastifyError & { details?: ErrorDetails }

/** True when an error means a dependency (the database) is down: the reply is then a 503. */
export type IsUnavailable = (error: unknown) => boolean

/** Turns anything thrown into the documented error shape; 5xx never carry internals to the client. */
function toPublicError(error: ServiceError, isUnavailable: IsUnavailable): ServiceError {
  if (error.validation) return new errors.VALIDATION_ERROR(error.message)
  const mapped = error.code ? fastifyErrorCodes[error.code] : undefined
  if (mapped) return mapped()
  if (error.statusCode && error.statusCode < 500 && error.statusCode >= 400) {
    return error.code ? error : Object.assign(new errors.INVALID_BODY(), { statusCode: error.statusCode })
  }
  // A catalogued outage (UPSTREAM_UNAVAILABLE, UPSTREAM_TIMEOUT) keeps its code, whatever its cause.
  if (error.statusCode && error.statusCode >= 502 && error.statusCode <= 504 && error.code) return error
  if (isUnavailable(error)) return new errors.SERVICE_UNAVAILABLE()
  return new errors.INTERNAL_ERROR()
}

/** What Node raises on a stream whose other end went away. */
const CONNECTION_CUT = new Set(['ECONNRESET', 'EPIPE', 'ERR_STREAM_PREMATURE_CLOSE', 'ABORT_ERR'])

/**
 * Whether `error` is the client's going away: its connection is gone (the connection tells, not
 * the request stream, which ends as soon as a body has been read) and the error is a cut stream's.
 */
const cutShortByClient = (error: ServiceError, request: FastifyRequest) =>
  request.socket.destroyed && CONNECTION_CUT.has(String(error.code))

/** Answers `error` in the documented shape, noted in the log by its kind. */
export function answerError(error: ServiceError, request: FastifyRequest, reply: FastifyReply, isUnavailable: IsUnavailable = () => false) {
  const publicError = toPublicError(error, isUnavailable)
  const statusCode = publicError.statusCode ?? 500
  // Logged by kind. An internal error is a fault to fix: an error, whether or not the client is
  // still there, unless the client caused it by going away (its stream cut short): it has nobody to
  // answer and is no fault of the service, so it is noted. A dependency that is down (502, 503,
  // 504) is a state answered fast and recovered from: a warning, also when the client has gone.
  if (statusCode === 500 && cutShortByClient(error, request)) request.log.info({ err: error }, 'the client went away before its answer')
  else if (statusCode === 500) request.log.error({ err: error }, 'request failed')
  else if (statusCode > 500) request.log.warn({ err: error, code: publicError.code, statusCode }, publicError.message)
  else request.log.info({ code: publicError.code, statusCode }, publicError.message)

  const details = publicError.details ?? {}
  if (details.retryAfter !== undefined) reply.header('retry-after', String(details.retryAfter))
  return reply.code(statusCode).send({
    statusCode,
    code: publicError.code,
    error: STATUS_CODES[statusCode] ?? 'Error',
    message: publicError.message,
    ...details,
  })
}

/**
 * Answers what the router refuses before any route or hook runs (a path that cannot be decoded, a
 * part of it too long): in the documented shape, with the request's id as every answer has it.
 */
export function answerFrameworkError(error: ServiceError, request: FastifyRequest, reply: FastifyReply) {
  reply.header('x-request-id', request.id)
  return answerError(error, request, reply)
}

/** The answers to what Node's HTTP parser refuses, by its error code; any other is a MALFORMED_REQUEST. */
const CLIENT_ERRORS: Record<string, [number, string, string]> = {
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'REQUEST_TIMEOUT', 'The request took too long to arrive'],
  HPE_HEADER_OVERFLOW: [431, 'HEADERS_TOO_LARGE', 'The request line and headers are too large'],
}
const MALFORMED_REQUEST: [number, string, string] = [400, 'MALFORMED_REQUEST', 'The request is not valid HTTP']

/**
 * Answers a request Node's HTTP parser refuses (headers too large, a malformed request line or
 * length, a request that took too long to arrive), which never becomes a request: in the
 * documented shape, with an id of its own, then the connection is closed.
 */
export function answerClientError(this: FastifyInstance, error: NodeJS.ErrnoException, socket: Socket) {
  if (error.code === 'ECONNRESET' || socket.destroyed) return
  const [statusCode, code, message] = CLIENT_ERRORS[error.code ?? ''] ?? MALFORMED_REQUEST
  const requestId = randomUUID()
  // Noted, not warned: a flood of garbage must not flood the log. Not the error itself: it holds
  // the raw bytes read (headers with their tokens, other requests on the connection).
  this.log.debug({ requestId, code, cause: error.code }, message)
  // As Node does: nothing is written into an answer already on its way on this connection.
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent: boolean } })._httpMessage
  if (socket.writable && !inFlight?.headersSent) {
    const body = JSON.stringify({ statusCode, code, error: STATUS_CODES[statusCode], message })
    socket.write(
      `HTTP/1.1 ${statusCode} ${STATUS_CODES[statusCode]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nX-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
    )
  }
  socket.destroy()
}

export function installErrorHandling(app: FastifyInstance, isUnavailable: IsUnavailable) {
  app.setErrorHandler<ServiceError>((error, request, reply) => answerError(error, request, reply, isUnavailable))

  app.setNotFoundHandler((request) => {
    throw new errors.NOT_FOUND(`${request.method} ${request.url.split('?')[0]}`)
  })
}

import { STATUS_CODES } from 'node:http'
import type { FastifyErrorConstructor } from '@fastify/error'
import type { OpenAPIV3_1 } from 'openapi-types'

/** A catalogued error, or one with the extra fields it carries (`attemptsLeft`), each a JSON schema. */
export type DocumentedError = FastifyErrorConstructor | { error: FastifyErrorConstructor; details: Record<string, object> }

type ErrorSchema = OpenAPIV3_1.SchemaObject & {
  properties: Record<string, OpenAPIV3_1.SchemaObject & { 'x-enumDescriptions'?: Record<string, string> }>
}

/** The code, status and message template of an error class; placeholders read "…". */
function describe(ErrorClass: FastifyErrorConstructor) {
  const { code, statusCode, message } = new ErrorClass()
  return { code, statusCode: statusCode ?? 500, message: message.replaceAll('%s', '…') }
}

/**
 * The body every error answer of one status has: the codes it can carry as an `enum` (each
 * explained in `x-enumDescriptions`), and the extra fields some of them add. A 429 always says
 * how long to wait (`retryAfter`, also the Retry-After header).
 */
function errorSchema(statusCode: number, messages: Record<string, string>, details: Record<string, object>): ErrorSchema {
  const codes = Object.keys(messages)
  const error = STATUS_CODES[statusCode] ?? 'Error'
  const retryAfter = { type: 'integer', minimum: 0, description: 'Seconds to wait before trying again (also the Retry-After header)' }
  return {
    type: 'object',
    description: `${error}: ${codes.join(', ')}`,
    additionalProperties: false,
    required: ['statusCode', 'code', 'error', 'message', ...(statusCode === 429 ? ['retryAfter'] : [])],
    properties: {
      statusCode: { type: 'integer', enum: [statusCode] },
      code: { type: 'string', enum: codes, 'x-enumDescriptions': messages, description: 'Stable: match on this' },
      error: { type: 'string', description: 'The HTTP reason phrase' },
      message: { type: 'string', description: 'For people: wording may change' },
      ...(details as ErrorSchema['properties']),
      ...(statusCode === 429 ? { retryAfter: retryAfter as OpenAPIV3_1.SchemaObject } : {}),
    },
    examples: [
      { statusCode, code: codes[0], error, message: messages[codes[0] as string], ...(statusCode === 429 ? { retryAfter: 60 } : {}) },
    ],
  }
}

/** The codes, messages and extra fields of an error answer already documented. */
function documentedIn(schema: ErrorSchema | undefined) {
  const { statusCode, code, error, message, retryAfter, ...details } = schema?.properties ?? {}
  return { messages: code?.['x-enumDescriptions'] ?? {}, details }
}

/** Groups errors by status into error answer schemas, added to what `existing` documents already. */
function errorSchemas(errors: DocumentedError[], existing: (statusCode: number) => ErrorSchema | undefined) {
  const byStatus = new Map<number, { messages: Record<string, string>; details: Record<string, object> }>()
  for (const entry of errors) {
    const { code, statusCode, message } = describe(typeof entry === 'function' ? entry : entry.error)
    let group = byStatus.get(statusCode)
    if (!group) {
      group = documentedIn(existing(statusCode))
      byStatus.set(statusCode, group)
    }
    group.messages[code] ??= message
    if (typeof entry !== 'function') Object.assign(group.details, entry.details)
  }
  return new Map([...byStatus].map(([statusCode, { messages, details }]) => [statusCode, errorSchema(statusCode, messages, details)]))
}

/**
 * A route's error answers, as `schema.response` entries: `response: { 200: Reply, ...errorReplies(errors.OTP_INVALID, …) }`.
 * The errors every route shares (a bad body, the database down, a token refused) are added to the
 * document by the service kit; a route lists only its own.
 */
export function errorReplies(...errors: DocumentedError[]): Record<number, object> {
  return Object.fromEntries(errorSchemas(errors, () => undefined))
}

type Responses = OpenAPIV3_1.ResponsesObject
const jsonSchemaOf = (response: unknown) =>
  (response as OpenAPIV3_1.ResponseObject | undefined)?.content?.['application/json']?.schema as ErrorSchema | undefined

/**
 * Adds errors to the responses of an operation in an OpenAPI document, merged with the codes
 * each status already lists. Used for the errors a layer adds to every route: the service kit's,
 * and the gateway's.
 */
export function addErrorResponses(responses: Responses, errors: DocumentedError[]) {
  for (const [statusCode, schema] of errorSchemas(errors, (status) => jsonSchemaOf(responses[status]))) {
    const { examples, description, ...rest } = schema
    responses[statusCode] = {
      ...(responses[statusCode] as OpenAPIV3_1.ResponseObject | undefined),
      description: description as string,
      content: { 'application/json': { schema: rest, example: examples?.[0] } },
    }
  }
}

import { Ajv, type Options } from 'ajv'
import addFormats from 'ajv-formats'
import type { FastifySchemaCompiler } from 'fastify'

function createAjv(options: Options) {
  const ajv = new Ajv({ removeAdditional: true, useDefaults: true, allErrors: false, ...options })
  addFormats.default(ajv)
  return ajv
}

/**
 * Bodies are JSON and must arrive with the right types (a number is not a code);
 * query strings and params are text by nature, so they are coerced.
 */
export function createValidatorCompiler(): FastifySchemaCompiler<unknown> {
  const strict = createAjv({ coerceTypes: false })
  const coercing = createAjv({ coerceTypes: 'array' })
  return ({ schema, httpPart }) => (httpPart === 'body' ? strict : coercing).compile(schema as object)
}

import type { FastifyErrorConstructor } from '@fastify/error'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { OpenAPIV3_1 } from 'openapi-types'
import { stringify as stringifyYaml } from 'yaml'
import { addErrorResponses, type DocumentedError } from './error-docs.ts'
import { errors } from './errors.ts'

export type OpenApiDocument = OpenAPIV3_1.Document

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route takes no body as an empty one (`{}`), and its document says the body is optional. */
    optionalBody?: boolean
  }
}

/** A way to authenticate (`security: [{ accessToken: [] }]` on a route), and the errors it answers when refused. */
export type SecurityScheme = { scheme: OpenAPIV3_1.SecuritySchemeObject; errors: FastifyErrorConstructor[] }

export type DocsOptions = {
  service: string
  version: string
  description?: string
  /** The tags the routes use, each described. */
  tags?: OpenAPIV3_1.TagObject[]
  securitySchemes?: Record<string, SecurityScheme>
  /** Serves this document instead of one made from the routes (the gateway's, made from the services'). */
  document?: () => Promise<OpenApiDocument>
  /** True when the service has a database: every route may answer 503 SERVICE_UNAVAILABLE. */
  hasDependencies: boolean
}

export const license = { name: 'MIT', identifier: 'MIT' }

/** Headers every answer carries, referenced from each response. */
const commonHeaders: Record<string, OpenAPIV3_1.HeaderObject> = {
  RequestId: {
    description: 'The id of this request in the logs: the one sent, else a new one',
    schema: { type: 'string', maxLength: 128 },
  },
  RetryAfter: { description: 'Seconds to wait before trying again', schema: { type: 'integer', minimum: 0 } },
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const

export function* operationsOf(document: OpenApiDocument) {
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const method of METHODS) {
      const operation = item?.[method]
      if (operation) yield { path, method, operation }
    }
  }
}

/** The headers of every response: x-request-id always, Retry-After on a 429. */
export function addResponseHeaders(responses: OpenAPIV3_1.ResponsesObject) {
  for (const [status, response] of Object.entries(responses) as [string, OpenAPIV3_1.ResponseObject][]) {
    response.headers = {
      ...response.headers,
      'x-request-id': { $ref: '#/components/headers/RequestId' },
      ...(status === '429' ? { 'retry-after': { $ref: '#/components/headers/RetryAfter' } } : {}),
    }
  }
}

/** The document without the components none of its operations uses, directly or through another component. */
export function withoutUnusedComponents(document: OpenApiDocument): OpenApiDocument {
  const usedSchemes = new Set([...operationsOf(document)].flatMap(({ operation }) => (operation.security ?? []).flatMap(Object.keys)))
  const { securitySchemes = {}, ...referenced } = document.components ?? {}
  const kept: Record<string, Record<string, unknown>> = Object.fromEntries(Object.keys(referenced).map((kind) => [kind, {}]))
  // What the paths refer to, then what those components refer to, until nothing new is found.
  let text = JSON.stringify(document.paths)
  for (let found = true; found; ) {
    found = false
    for (const [kind, entries] of Object.entries(referenced) as [string, Record<string, unknown>][]) {
      for (const [name, value] of Object.entries(entries ?? {})) {
        if (kept[kind]?.[name] !== undefined || !text.includes(`"#/components/${kind}/${name}"`)) continue
        ;(kept[kind] as Record<string, unknown>)[name] = value
        text += JSON.stringify(value)
        found = true
      }
    }
  }
  const schemes = Object.fromEntries(Object.entries(securitySchemes).filter(([name]) => usedSchemes.has(name)))
  return { ...document, components: { ...kept, securitySchemes: schemes } }
}

/**
 * The errors any route can answer whatever it does, from what the route takes: its body can be
 * unreadable, too large or not JSON; its input can fail validation; its token can be refused.
 */
function sharedErrors(operation: OpenAPIV3_1.OperationObject, options: DocsOptions): DocumentedError[] {
  const shared: DocumentedError[] = [errors.INTERNAL_ERROR]
  if (operation.requestBody || operation.parameters?.length) shared.push(errors.VALIDATION_ERROR)
  if (operation.requestBody) shared.push(errors.INVALID_BODY, errors.PAYLOAD_TOO_LARGE, errors.UNSUPPORTED_MEDIA_TYPE)
  if (options.hasDependencies) shared.push(errors.SERVICE_UNAVAILABLE)
  for (const requirement of operation.security ?? []) {
    for (const name of Object.keys(requirement)) shared.push(...(options.securitySchemes?.[name]?.errors ?? []))
  }
  return shared
}

/**
 * The service's OpenAPI document at /docs/json (and a UI at /docs), made from its routes' schemas
 * and completed with what every route shares: the errors above, the headers of every answer, an
 * explicit `security` on every operation, and an optional body where a route accepts none.
 */
export async function installDocs(app: FastifyInstance, options: DocsOptions) {
  // Routes whose body may be left out (`config: { optionalBody: true }`, see the service kit).
  const optionalBodies = new Set<string>()
  app.addHook('onRoute', (route) => {
    if (!route.config?.optionalBody) return
    for (const method of [route.method].flat()) optionalBodies.add(`${method.toLowerCase()} ${route.url}`)
  })

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      // Relative to where the document was fetched: this instance.
      servers: [{ url: '/', description: 'This instance' }],
      info: { title: options.service, version: options.version, description: options.description, license },
      tags: options.tags,
      components: {
        securitySchemes: Object.fromEntries(Object.entries(options.securitySchemes ?? {}).map(([name, { scheme }]) => [name, scheme])),
        headers: commonHeaders,
      },
    },
    transformObject: (documentObject) => {
      const document = (documentObject as { openapiObject: OpenApiDocument }).openapiObject
      for (const { path, method, operation } of operationsOf(document)) {
        operation.security ??= []
        // A parameter with a default is filled in when left out: a client need not send it.
        for (const parameter of (operation.parameters ?? []) as OpenAPIV3_1.ParameterObject[]) {
          const defaulted = (parameter.schema as OpenAPIV3_1.SchemaObject | undefined)?.default !== undefined
          if (defaulted && parameter.in !== 'path') parameter.required = false
        }
        if (operation.requestBody && optionalBodies.has(`${method} ${path.replace(/\{(\w+)\}/g, ':$1')}`)) {
          ;(operation.requestBody as OpenAPIV3_1.RequestBodyObject).required = false
        }
        addErrorResponses(operation.responses ?? {}, sharedErrors(operation, options))
        addResponseHeaders(operation.responses ?? {})
      }
      return withoutUnusedComponents(document)
    },
  })

  // A given document is served as it is, each form written once per document (not per request).
  const written = new WeakMap<OpenApiDocument, Record<'json' | 'yaml', string>>()
  const { document } = options
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    ...(document && {
      uiHooks: {
        onRequest: async (request: FastifyRequest, reply: FastifyReply) => {
          const format = /\/(json|yaml)$/.exec(request.url.split('?')[0] as string)?.[1] as 'json' | 'yaml' | undefined
          if (!format) return
          const current = await document()
          let forms = written.get(current)
          if (!forms) {
            forms = { json: JSON.stringify(current), yaml: stringifyYaml(current) }
            written.set(current, forms)
          }
          return reply.type(format === 'json' ? 'application/json; charset=utf-8' : 'application/x-yaml').send(forms[format])
        },
      },
    }),
  })
}

import type { FastifyErrorConstructor } from '@fastify/error'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { OpenAPIV3_1 } from 'openapi-types'
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
  document?: (request: FastifyRequest) => Promise<OpenApiDocument>
  /** True when the service has a database: every route may answer 503 SERVICE_UNAVAILABLE. */
  hasDependencies: boolean
}

export const license = { name: 'MIT', identifier: 'MIT' }

/** Headers every answer carries, referenced from each response. */
export const commonHeaders: Record<string, OpenAPIV3_1.HeaderObject> = {
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

/** The document without the security schemes and headers none of its operations uses. */
export function withoutUnusedComponents(document: OpenApiDocument): OpenApiDocument {
  const usedSchemes = new Set([...operationsOf(document)].flatMap(({ operation }) => (operation.security ?? []).flatMap(Object.keys)))
  const paths = JSON.stringify(document.paths)
  const keep = <T>(components: Record<string, T> | undefined, used: (name: string) => boolean) =>
    Object.fromEntries(Object.entries(components ?? {}).filter(([name]) => used(name)))
  return {
    ...document,
    components: {
      ...document.components,
      securitySchemes: keep(document.components?.securitySchemes, (name) => usedSchemes.has(name)),
      headers: keep(document.components?.headers, (name) => paths.includes(`"#/components/headers/${name}"`)),
    },
  }
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
  // Routes whose body may be left out: declared with `config: { optionalBody: true }`.
  const optionalBodies = new Set<string>()
  app.addHook('onRoute', (route) => {
    if (!route.config?.optionalBody) return
    const methods = Array.isArray(route.method) ? route.method : [route.method]
    for (const method of methods) optionalBodies.add(`${method.toLowerCase()} ${route.url}`)
    const emptyBody = async (request: FastifyRequest) => {
      request.body ??= {}
    }
    route.preValidation = [emptyBody, ...[route.preValidation ?? []].flat()]
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
          if ((parameter.schema as OpenAPIV3_1.SchemaObject | undefined)?.default !== undefined) parameter.required = false
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

  // The document served: this service's own, or the one given, on the request it was asked for.
  const given = new WeakMap<FastifyRequest, OpenApiDocument>()
  const { document } = options
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    ...(document && {
      uiHooks: {
        onRequest: async (request: FastifyRequest) => {
          if (/\/(json|yaml)$/.test(request.url.split('?')[0] as string)) given.set(request, await document(request))
        },
      },
      transformSpecificationClone: false,
      transformSpecification: (_own: unknown, request: FastifyRequest) => given.get(request) as OpenApiDocument,
    }),
  })
}

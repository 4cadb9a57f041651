import { isDeepStrictEqual } from 'node:util'
import {
  addErrorResponses,
  addResponseHeaders,
  type DocumentedError,
  license,
  type OpenApiDocument,
  operationsOf,
  withoutUnusedComponents,
} from '@otp-suite/service-kit'
import type { FastifyBaseLogger } from 'fastify'
import type { OpenAPIV3_1 } from 'openapi-types'
import { errors } from './errors.ts'
import type { Upstream } from './upstreams.ts'

type ErrorResponse = { content?: Record<string, { schema?: { properties?: { code?: { enum?: string[] } } } }> }
type ServiceDocument = { service: string; prefixes: string[]; document: OpenApiDocument }
type Info = {
  version: string
  errors: DocumentedError[]
  servers: { url: string; description?: string }[]
  /** Told of a component two services define differently; the first definition is kept. */
  onConflict?: (message: string) => void
}

const description = `One API for phone and email sign-in with one-time codes.

1. \`POST /api/v1/otp/send\` sends a code by SMS or email.
2. \`POST /api/v1/otp/verify\` checks it, once, and answers a short-lived proof.
3. \`POST /api/v1/auth/otp/login\` trades the proof for an access token (Bearer, 15 minutes) and a refresh token.
4. \`POST /api/v1/auth/refresh\` trades the refresh token for a new pair; \`POST /api/v1/auth/logout\` ends the session at once.

Every error answer has a stable \`code\`: the codes each status can carry are listed with it. Every answer carries \`x-request-id\`; every 429 carries \`Retry-After\`.`

/**
 * Adds the components of one document to the merged ones. Two services may be at different
 * versions for a while (a rollout): the first definition of a name is kept, the other reported.
 */
function mergeComponents(
  into: Record<string, Record<string, unknown>>,
  from: OpenApiDocument['components'],
  service: string,
  onConflict: (message: string) => void,
) {
  for (const [kind, entries] of Object.entries(from ?? {}) as [string, Record<string, unknown>][]) {
    into[kind] ??= {}
    for (const [name, value] of Object.entries(entries ?? {})) {
      const known = into[kind][name]
      if (known === undefined) into[kind][name] = value
      else if (!isDeepStrictEqual(known, value))
        onConflict(`${service} defines components.${kind}.${name} differently; the first definition is kept`)
    }
  }
}

const pascal = (code: string) => code.toLowerCase().replace(/(^|_)([a-z])/g, (_match, _start, letter: string) => letter.toUpperCase())

/**
 * Error answers that several operations give alike (a 413, the gateway's 503) are written once, in
 * `components.responses`, named after their codes (`PayloadTooLarge`), and referenced.
 */
function shareErrorResponses(document: OpenApiDocument) {
  const uses = new Map<string, { name: string; response: unknown; in: OpenAPIV3_1.ResponsesObject[]; status: string }>()
  for (const { operation } of operationsOf(document)) {
    for (const [status, response] of Object.entries(operation.responses ?? {})) {
      const codes = (response as ErrorResponse).content?.['application/json']?.schema?.properties?.code?.enum
      if (Number(status) < 400 || !codes) continue
      const key = JSON.stringify(response)
      const use = uses.get(key) ?? { name: codes.map(pascal).join('Or'), response, in: [], status }
      use.in.push(operation.responses as OpenAPIV3_1.ResponsesObject)
      uses.set(key, use)
    }
  }
  const shared: Record<string, unknown> = {}
  for (const use of uses.values()) {
    if (use.in.length < 2) continue
    shared[use.name] = use.response
    for (const responses of use.in) responses[use.status] = { $ref: `#/components/responses/${use.name}` }
  }
  document.components = { ...document.components, responses: shared as OpenAPIV3_1.ComponentsObject['responses'] }
}

/**
 * The public API as clients see it through the gateway: each service's routes under the
 * prefixes the gateway passes to it (never /internal), each with the errors the gateway itself can
 * answer (its ceiling, an upstream down or slow), the tags and components they use.
 */
export function mergeDocuments(
  documents: ServiceDocument[],
  { version, errors: gatewayErrors, servers, onConflict = () => {} }: Info,
): OpenApiDocument {
  const paths: NonNullable<OpenApiDocument['paths']> = {}
  const components: Record<string, Record<string, unknown>> = {}
  const tags = new Map<string, { name: string; description?: string }>()
  for (const { service, prefixes, document } of documents) {
    const routed = (path: string) => prefixes.some((prefix) => path === prefix || path.startsWith(`${prefix}/`))
    for (const [path, item] of Object.entries(document.paths ?? {})) if (routed(path)) paths[path] = structuredClone(item)
    mergeComponents(components, document.components, service, onConflict)
    for (const tag of document.tags ?? []) tags.set(tag.name, tag)
  }
  const merged: OpenApiDocument = {
    openapi: '3.1.0',
    info: { title: 'OTP sign-in suite', version, description, license },
    servers,
    paths,
    components,
  }
  const used = new Set<string>()
  for (const { operation } of operationsOf(merged)) {
    addErrorResponses(operation.responses ?? {}, gatewayErrors)
    addResponseHeaders(operation.responses ?? {})
    for (const tag of operation.tags ?? []) used.add(tag)
  }
  merged.tags = [...tags.values()].filter((tag) => used.has(tag.name))
  shareErrorResponses(merged)
  return withoutUnusedComponents(merged)
}

/**
 * The public document, made from the services' own documents (each asked of an instance in
 * rotation, within `timeoutMs`). Once made, it is served at once: after `ttlMs` the next request
 * has it made again in the background, and should that fail (a service down or slow), the last
 * one goes on being served for another period. Before there is one, a request waits for it, and
 * gets 503 UPSTREAM_UNAVAILABLE if it cannot be made.
 */
export function createPublicDocument({
  upstreams,
  routes,
  version,
  publicUrl,
  rateLimited,
  ttlMs = 30_000,
  timeoutMs = 3000,
  log,
}: {
  upstreams: () => Upstream[]
  routes: Record<string, string[]>
  version: string
  /** Where clients reach the gateway; empty names the address the document was fetched from. */
  publicUrl: string
  rateLimited: boolean
  ttlMs?: number
  timeoutMs?: number
  log: FastifyBaseLogger
}) {
  const info = {
    version,
    errors: [errors.UPSTREAM_UNAVAILABLE, errors.UPSTREAM_TIMEOUT, ...(rateLimited ? [errors.RATE_LIMITED] : [])],
    // Relative, not the request's Host: a client must not be able to choose where the document points.
    servers: [{ url: publicUrl || '/', description: 'The gateway' }],
    onConflict: (message: string) => log.warn(message),
  }
  let last: { document: OpenApiDocument; at: number } | undefined
  let loading: Promise<OpenApiDocument> | undefined

  async function documentOf(upstream: Upstream): Promise<ServiceDocument> {
    const response = await upstream.dispatcher.request({
      method: 'GET',
      path: '/docs/json',
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    })
    if (response.statusCode !== 200) {
      await response.body.dump()
      throw new Error(`${upstream.name} answered ${response.statusCode} for its document`)
    }
    return { service: upstream.name, prefixes: routes[upstream.name] ?? [], document: (await response.body.json()) as OpenApiDocument }
  }

  function load(): Promise<OpenApiDocument> {
    loading ??= Promise.all(upstreams().map(documentOf))
      .then((documents) => {
        last = { document: mergeDocuments(documents, info), at: Date.now() }
        return last.document
      })
      .catch((error: unknown) => {
        if (!last) throw new errors.UPSTREAM_UNAVAILABLE('The API document', { cause: error })
        log.warn({ err: error }, 'the API document could not be made again; serving the last one')
        last.at = Date.now()
        return last.document
      })
      .finally(() => {
        loading = undefined
      })
    return loading
  }

  return async function publicDocument(): Promise<OpenApiDocument> {
    if (!last) return load()
    if (Date.now() - last.at >= ttlMs) void load()
    return last.document
  }
}

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
import { errors } from './errors.ts'
import type { Upstream } from './upstreams.ts'

type ServiceDocument = { service: string; prefixes: string[]; document: OpenApiDocument }
type Info = { version: string; errors: DocumentedError[] }

const description = `One API for phone and email sign-in with one-time codes.

1. \`POST /api/v1/otp/send\` sends a code by SMS or email.
2. \`POST /api/v1/otp/verify\` checks it, once, and answers a short-lived proof.
3. \`POST /api/v1/auth/otp/login\` trades the proof for an access token (Bearer, 15 minutes) and a refresh token.
4. \`POST /api/v1/auth/refresh\` trades the refresh token for a new pair; \`POST /api/v1/auth/logout\` ends the session at once.

Every error answer has a stable \`code\`: the codes each status can carry are listed with it. Every answer carries \`x-request-id\`; every 429 carries \`Retry-After\`.`

/** Adds the components of one document to the merged ones; one name may not mean two things. */
function mergeComponents(into: Record<string, Record<string, unknown>>, from: OpenApiDocument['components'], service: string) {
  for (const [kind, entries] of Object.entries(from ?? {}) as [string, Record<string, unknown>][]) {
    into[kind] ??= {}
    for (const [name, value] of Object.entries(entries ?? {})) {
      const known = into[kind][name]
      if (known !== undefined && !isDeepStrictEqual(known, value))
        throw new Error(`${service} defines components.${kind}.${name} differently`)
      into[kind][name] = value
    }
  }
}

/**
 * The public API as clients see it through the gateway: each service's routes under the
 * prefixes the gateway passes to it (never /internal), each with the errors the gateway itself can
 * answer (its ceiling, an upstream down or slow), the tags and components they use.
 */
export function mergeDocuments(documents: ServiceDocument[], { version, errors: gatewayErrors }: Info): OpenApiDocument {
  const paths: NonNullable<OpenApiDocument['paths']> = {}
  const components: Record<string, Record<string, unknown>> = {}
  const tags = new Map<string, { name: string; description?: string }>()
  for (const { service, prefixes, document } of documents) {
    const routed = (path: string) => prefixes.some((prefix) => path === prefix || path.startsWith(`${prefix}/`))
    for (const [path, item] of Object.entries(document.paths ?? {})) if (routed(path)) paths[path] = structuredClone(item)
    mergeComponents(components, document.components, service)
    for (const tag of document.tags ?? []) tags.set(tag.name, tag)
  }
  const merged: OpenApiDocument = {
    openapi: '3.1.0',
    info: { title: 'OTP sign-in suite', version, description, license },
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
  return withoutUnusedComponents(merged)
}

/**
 * The public document, made from the services' own documents (each asked of an instance in
 * rotation) and kept for `ttlMs`. While a service cannot be asked, the last document made is
 * served; before there is one, 503 UPSTREAM_UNAVAILABLE.
 */
export function createPublicDocument({
  upstreams,
  routes,
  version,
  rateLimited,
  ttlMs = 30_000,
  log,
}: {
  upstreams: () => Upstream[]
  routes: Record<string, string[]>
  version: string
  rateLimited: boolean
  ttlMs?: number
  log: FastifyBaseLogger
}) {
  const gatewayErrors = [errors.UPSTREAM_UNAVAILABLE, errors.UPSTREAM_TIMEOUT, ...(rateLimited ? [errors.RATE_LIMITED] : [])]
  let last: { document: OpenApiDocument; at: number } | undefined
  let loading: Promise<OpenApiDocument> | undefined

  async function documentOf(upstream: Upstream): Promise<ServiceDocument> {
    const response = await upstream.dispatcher.request({ method: 'GET', path: '/docs/json' })
    if (response.statusCode !== 200) {
      await response.body.dump()
      throw new Error(`${upstream.name} answered ${response.statusCode} for its document`)
    }
    return { service: upstream.name, prefixes: routes[upstream.name] ?? [], document: (await response.body.json()) as OpenApiDocument }
  }

  async function load() {
    const document = mergeDocuments(await Promise.all(upstreams().map(documentOf)), { version, errors: gatewayErrors })
    last = { document, at: Date.now() }
    return document
  }

  return async function publicDocument(): Promise<OpenApiDocument> {
    if (last && Date.now() - last.at < ttlMs) return last.document
    loading ??= load().finally(() => {
      loading = undefined
    })
    try {
      return await loading
    } catch (error) {
      if (!last) throw new errors.UPSTREAM_UNAVAILABLE('The API document', { cause: error })
      log.warn({ err: error }, 'the API document could not be made again; serving the last one')
      return last.document
    }
  }
}

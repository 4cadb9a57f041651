import type { IncomingMessage, ServerResponse } from 'node:http'
import cors from '@fastify/cors'
import rateLimit from '@fastify/rate-limit'
import { appVersion, clientAddress, listOf, serviceKit, withDetails } from '@otp-suite/service-kit'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import helmet, { type HelmetOptions } from 'helmet'
import { adminDashboard, dashboardFiles } from './admin-dashboard.ts'
import type { GatewayConfig } from './config.ts'
import { emailConfirmation } from './email-confirmation.ts'
import { errors } from './errors.ts'
import { createPublicDocument } from './public-document.ts'
import { proxyRoutes, ROUTES } from './routes.ts'
import { createUpstream, type Upstream, upstreamMetrics } from './upstreams.ts'

const instanceUrls = (config: GatewayConfig): Record<string, string> => ({
  'otp-service': config.OTP_SERVICE_URLS,
  'user-service': config.USER_SERVICE_URLS,
  'admin-service': config.ADMIN_SERVICE_URLS,
})

/**
 * The headers helmet sets with `options`, read once: they are the same on every answer, so each
 * request gets them as one object instead of a run of helmet's middleware.
 */
function securityHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {}
  const response = {
    setHeader: (name: string, value: string) => {
      headers[name.toLowerCase()] = value
    },
    removeHeader: (name: string) => {
      delete headers[name.toLowerCase()]
    },
  }
  let done = false
  helmet(options)({} as IncomingMessage, response as unknown as ServerResponse, (error?: unknown) => {
    if (error) throw error
    done = true
  })
  if (!done) throw new Error('helmet did not set its headers at once')
  return headers
}

/** The gateway as a plugin: the server and the tests register exactly this. */
async function gatewayApp(app: FastifyInstance, { config }: { config: GatewayConfig }) {
  const services = Object.keys(ROUTES)
  const upstreams = new Map<string, Upstream>()
  const version = appVersion(import.meta.url)
  const publicDocument = createPublicDocument({
    upstreams: () => [...upstreams.values()],
    routes: ROUTES,
    version,
    publicUrl: config.PUBLIC_URL,
    rateLimited: config.RATE_LIMIT_PER_MINUTE > 0,
    log: app.log,
  })
  await app.register(serviceKit, {
    service: 'gateway',
    version,
    description: 'The one public entry of the OTP sign-in and session suite',
    // Ready while every service has an instance in rotation; the answer names the ones that do not.
    checks: Object.fromEntries(services.map((name) => [name, () => (upstreams.get(name) as Upstream).health()])),
    // The public API, made from the services' documents.
    document: publicDocument,
  })
  const metrics = upstreamMetrics(app.metricsRegistry)
  for (const name of services) {
    upstreams.set(
      name,
      createUpstream({
        name,
        urls: listOf(instanceUrls(config)[name] ?? ''),
        connectTimeoutMs: config.UPSTREAM_CONNECT_TIMEOUT_MS,
        timeoutMs: config.UPSTREAM_TIMEOUT_MS,
        connections: config.UPSTREAM_CONNECTIONS,
        queueTimeoutMs: config.UPSTREAM_QUEUE_TIMEOUT_MS,
        healthCheckIntervalMs: config.HEALTH_CHECK_INTERVAL_MS,
        log: app.log,
        metrics,
      }),
    )
  }

  // The gateway's own /docs page needs scripts and styles; the API's answers get a policy that
  // lets nothing load or frame them (below).
  const security = securityHeaders({ contentSecurityPolicy: false, crossOriginResourcePolicy: { policy: 'same-site' } })
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(security)
    done()
  })
  const origins = listOf(config.CORS_ORIGINS)
  if (origins.length > 0) {
    await app.register(cors, {
      origin: origins,
      methods: ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'],
      allowedHeaders: ['authorization', 'content-type', 'x-request-id'],
      exposedHeaders: ['x-request-id', 'retry-after', 'x-cache'],
      maxAge: 600,
    })
  }
  // Bodies are passed on as the bytes that came, within the body limit; the services parse them.
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body))

  await app.register(emailConfirmation)
  const dashboard = dashboardFiles(config.ADMIN_DASHBOARD_DIR)
  if (dashboard) await app.register(adminDashboard, { root: dashboard })
  else app.log.warn('The admin dashboard is not built (pnpm --filter @otp-suite/admin-dashboard build): /admin/ answers 404')

  await app.register(async (proxied) => {
    proxied.addHook('onRequest', (_request, reply, done) => {
      reply.header('content-security-policy', "default-src 'none'; frame-ancestors 'none'")
      done()
    })
    if (config.RATE_LIMIT_PER_MINUTE > 0) {
      await proxied.register(rateLimit, {
        max: config.RATE_LIMIT_PER_MINUTE,
        timeWindow: 60_000,
        // An IPv6 client counts by its /64, as the services count it: not a fresh key per address.
        keyGenerator: (request) => clientAddress(request) ?? request.ip,
        errorResponseBuilder: (_request, { ttl }) => withDetails(new errors.RATE_LIMITED(), { retryAfter: Math.ceil(ttl / 1000) }),
      })
    }
    proxyRoutes(proxied, { upstreams: [...upstreams.values()], metrics })
  })

  app.addHook('onClose', async () => {
    await Promise.all([...upstreams.values()].map((upstream) => upstream.close()))
  })
}

export default fp(gatewayApp, { name: 'gateway', fastify: '5.x' })

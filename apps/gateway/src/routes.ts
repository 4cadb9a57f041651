import type { IncomingHttpHeaders } from 'node:http'
import proxy, { type FastifyHttpProxyOptions } from '@fastify/http-proxy'
import { failureCode, neverSent } from '@otp-suite/service-kit'
import type { FastifyInstance } from 'fastify'
import { errors } from './errors.ts'
import type { Upstream, UpstreamMetrics } from './upstreams.ts'

/** Which service serves which public path prefixes (paths are passed on as they are). */
export const ROUTES: Record<string, string[]> = {
  'otp-service': ['/api/v1/otp'],
  'user-service': ['/api/v1/auth', '/api/v1/users'],
  'admin-service': ['/api/v1/admin'],
}

/** Failures after which only a request that can safely run twice is sent again. */
const CONNECTION_LOST = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE'])
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'])
const TIMEOUTS = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'FST_REPLY_FROM_GATEWAY_TIMEOUT'])

/**
 * The client's request as the service gets it: the connecting address (as the gateway's own
 * TRUSTED_PROXIES resolve it) is the whole X-Forwarded-For, so a client cannot choose the address
 * the services limit by, and the request id is the one the gateway logs.
 */
function forwardedHeaders(request: { ip: string; id: string }, headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const passed: IncomingHttpHeaders = {}
  for (const [name, value] of Object.entries(headers)) if (!NOT_PASSED.has(name) && !name.startsWith('proxy-')) passed[name] = value
  return { ...passed, 'x-forwarded-for': request.ip, 'x-request-id': request.id }
}

/** Headers of the client's hop (or claims about it) that never go on to a service. */
const NOT_PASSED = new Set([
  'forwarded',
  'x-forwarded-host',
  'x-forwarded-proto',
  'x-real-ip',
  'expect',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
])

/** One prefix of one service, proxied over its instances. */
async function proxyPrefix(app: FastifyInstance, upstream: Upstream, prefix: string, metrics: UpstreamMetrics) {
  const service = upstream.name
  const options: FastifyHttpProxyOptions = {
    // With no instance in rotation, a request would wait in the pool for one: answered at once instead.
    preHandler: async () => {
      if (upstream.instances() === 0) {
        metrics.errors.inc({ service, code: 'NO_INSTANCE' })
        throw new errors.UPSTREAM_UNAVAILABLE(service)
      }
    },
    // The instance is chosen by the pool; this origin only satisfies the plugin.
    upstream: `http://${service}.invalid`,
    undici: upstream.dispatcher,
    prefix,
    rewritePrefix: prefix,
    // Bodies arrive read (within the body limit) as bytes, and go on unchanged.
    proxyPayloads: false,
    // The gateway logs each request once, as every service does; not a second line per hop.
    disableRequestLogging: true,
    handler: (request, reply, dest, options) =>
      reply.from(
        dest,
        Buffer.isBuffer(request.body) ? { ...options, body: request.body, contentType: request.headers['content-type'] } : options,
      ),
    replyOptions: {
      rewriteRequestHeaders: forwardedHeaders,
      onResponse: (_request, reply, response) => {
        metrics.requests.inc({ service, status: `${String(response.statusCode)[0]}xx` })
        reply.send(response.stream)
      },
      // Tried again, while it cannot have run, once per instance in rotation: the failed one may still
      // be in it (the pool may pick it again) or already out of it, leaving its try to the others.
      retryDelay: ({ err, req, attempt }) => {
        if (!err) return null
        const retryable = neverSent(err) || (CONNECTION_LOST.has(failureCode(err)) && IDEMPOTENT.has(req.method))
        void upstream.checkAll()
        return retryable && attempt < upstream.instances() ? 1 : null
      },
      onError: (reply, { error }) => {
        const code = failureCode(error)
        metrics.errors.inc({ service, code })
        reply.request.log.warn({ err: error, service }, 'no answer from the service')
        const failure = TIMEOUTS.has(code) ? new errors.UPSTREAM_TIMEOUT(service) : new errors.UPSTREAM_UNAVAILABLE(service)
        reply.send(failure)
      },
    },
  }
  await app.register(proxy, options)
}

/** Every public prefix, each proxied to its service. */
export async function proxyRoutes(app: FastifyInstance, { upstreams, metrics }: { upstreams: Upstream[]; metrics: UpstreamMetrics }) {
  for (const upstream of upstreams) {
    for (const prefix of ROUTES[upstream.name] ?? []) await proxyPrefix(app, upstream, prefix, metrics)
  }
}

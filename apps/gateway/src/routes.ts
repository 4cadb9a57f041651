import type { IncomingHttpHeaders } from 'node:http'
import { failureCode, neverSent } from '@otp-suite/service-kit'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Dispatcher } from 'undici'
import { errors } from './errors.ts'
import type { Answer, Upstream, UpstreamMetrics } from './upstreams.ts'

/** Which service serves which public path prefixes (paths are passed on as they are). */
export const ROUTES: Record<string, string[]> = {
  'otp-service': ['/api/v1/otp'],
  'user-service': ['/api/v1/auth', '/api/v1/users'],
  'admin-service': ['/api/v1/admin'],
}

/** Failures after which only a request that can safely run twice is sent again. */
const CONNECTION_LOST = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE'])
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'])
const TIMEOUTS = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT'])

/**
 * `headers` without those of the hop they came over: `dropped`, any `proxy-*`, and those their
 * Connection header names.
 */
function withoutHop(headers: IncomingHttpHeaders, dropped: Set<string>): IncomingHttpHeaders {
  const named = new Set(
    String(headers.connection ?? '')
      .toLowerCase()
      .split(/\s*,\s*/),
  )
  const kept: IncomingHttpHeaders = {}
  for (const name in headers) if (!dropped.has(name) && !name.startsWith('proxy-') && !named.has(name)) kept[name] = headers[name]
  return kept
}

/** Headers of the client's hop (or claims about it) that never go on to a service; the body goes on with its own length. */
const NOT_PASSED = new Set([
  'host',
  'connection',
  'content-length',
  'transfer-encoding',
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

/** Headers of the service's hop: the client gets the answer's own length on the gateway's connection. */
const NOT_RETURNED = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'upgrade', 'trailer'])

/**
 * The client's request as the service gets it: the connecting address (as the gateway's own
 * TRUSTED_PROXIES resolve it) is the whole X-Forwarded-For, so a client cannot choose the address
 * the services limit by, and the request id is the one the gateway logs.
 */
function forwardedHeaders(request: FastifyRequest): IncomingHttpHeaders {
  const passed = withoutHop(request.headers, NOT_PASSED)
  passed['x-forwarded-for'] = request.ip
  passed['x-request-id'] = request.id
  return passed
}

/** The service's answer headers as the client gets them; a HEAD keeps the length its GET would have. */
function returnedHeaders(request: FastifyRequest, headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const returned = withoutHop(headers, NOT_RETURNED)
  if (request.method === 'HEAD' && headers['content-length']) returned['content-length'] = headers['content-length']
  return returned
}

/** The methods the API uses (not TRACE, CONNECT…). */
const METHODS = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT']

/**
 * A request target a server could read as another: not a plain path (`http://host/…`, which a
 * server behind may route by its host), with a fragment, or one that decodes or normalizes into
 * another (dot segments, backslashes, control characters, broken escapes). No route of the API has one.
 */
function ambiguousTarget(url: string) {
  if (!url.startsWith('/') || url.includes('#')) return true
  const path = url.split('?', 1)[0] as string
  if (!path.includes('%') && !path.includes('.') && !path.includes('\\')) return false
  let decoded: string
  try {
    decoded = decodeURIComponent(path)
  } catch {
    return true
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it looks for
  return /[\\\x00-\x1f]/.test(decoded) || decoded.split('/').some((segment) => segment === '.' || segment === '..')
}

/**
 * One service's public prefixes, passed on to its instances with the path as it came. Bodies
 * arrive read (within the body limit) and answers are read whole (the services answer bounded
 * JSON), so each hop is one write.
 */
function proxyService(app: FastifyInstance, upstream: Upstream, prefixes: string[], metrics: UpstreamMetrics) {
  const service = upstream.name
  /**
   * The gateway's answer to a request that got none: one that may have run (it timed out, or a
   * request that cannot run twice lost its connection after it left) says so with UPSTREAM_TIMEOUT,
   * so the client does not take it for one that never ran and simply send it again.
   */
  const unavailable = (code: string, method: string, cause?: unknown) => {
    metrics.errors.inc({ service, code })
    const mayHaveRun = TIMEOUTS.has(code) || (CONNECTION_LOST.has(code) && !IDEMPOTENT.has(method))
    // The cause goes in the answer's log line (a warning, as every outage).
    return mayHaveRun ? new errors.UPSTREAM_TIMEOUT(service, { cause }) : new errors.UPSTREAM_UNAVAILABLE(service, { cause })
  }

  /**
   * Tried again, while it cannot have run, as many times as there were instances in rotation when
   * it came: the failed one may still be in it (the pool may pick it again), or a health check may
   * have taken it out meanwhile, and the others still get their try.
   */
  async function answerOf(request: FastifyRequest): Promise<Answer> {
    const tries = upstream.instances()
    const options: Dispatcher.DispatchOptions = {
      method: request.method as Dispatcher.HttpMethod,
      path: request.url,
      headers: forwardedHeaders(request),
      body: Buffer.isBuffer(request.body) ? request.body : undefined,
    }
    for (let attempt = 1; ; attempt++) {
      try {
        return await upstream.exchange(options, () => request.socket.destroyed)
      } catch (error) {
        void upstream.checkAll()
        const retryable = neverSent(error) || (CONNECTION_LOST.has(failureCode(error)) && IDEMPOTENT.has(request.method))
        if (!retryable || attempt >= tries) throw error
      }
    }
  }

  async function pass(request: FastifyRequest, reply: FastifyReply) {
    if (ambiguousTarget(request.url)) return reply.callNotFound()
    // With no instance in rotation, a request would wait in the pool for one: answered at once instead.
    if (upstream.instances() === 0) throw unavailable('NO_INSTANCE', request.method)
    let answer: Answer
    try {
      answer = await answerOf(request)
      if (answer.status > 599) throw new Error(`status ${answer.status} is not HTTP`)
    } catch (error) {
      throw unavailable(failureCode(error), request.method, error)
    }
    metrics.requests.inc({ service, status: `${String(answer.status)[0]}xx` })
    return reply.code(answer.status).headers(returnedHeaders(request, answer.headers)).send(answer.body)
  }

  for (const prefix of prefixes) {
    for (const url of [prefix, `${prefix}/*`]) app.route({ method: METHODS, url, schema: { hide: true }, handler: pass })
  }
}

/** Every public prefix, each proxied to its service. */
export function proxyRoutes(app: FastifyInstance, { upstreams, metrics }: { upstreams: Upstream[]; metrics: UpstreamMetrics }) {
  for (const upstream of upstreams) proxyService(app, upstream, ROUTES[upstream.name] ?? [], metrics)
}

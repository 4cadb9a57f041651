import type { IncomingHttpHeaders } from 'node:http'
import { type CheckResult, failureCode } from '@otp-suite/service-kit'
import type { FastifyBaseLogger } from 'fastify'
import { Counter, Gauge, type Registry } from 'prom-client'
import { Agent, BalancedPool, type Dispatcher, request } from 'undici'

/** The largest answer a service may give (its API document is the largest, some tens of kB). */
const MAX_ANSWER_BYTES = 1024 * 1024

export type Answer = { status: number; headers: IncomingHttpHeaders; body: Buffer }

/** A request given up before it left the gateway: it waited too long for a connection, or its client left. */
class NotSent extends Error {
  constructor(readonly code: 'UPSTREAM_QUEUE_TIMEOUT' | 'CLIENT_GONE') {
    super(code === 'CLIENT_GONE' ? 'the client left while the request waited for a connection' : 'no connection free in time')
  }
}

export type UpstreamOptions = {
  /** "otp-service". */
  name: string
  urls: string[]
  connectTimeoutMs: number
  timeoutMs: number
  connections: number
  /** The longest a request may wait for a free connection before it is given up, unsent. */
  queueTimeoutMs: number
  healthCheckIntervalMs: number
  log: FastifyBaseLogger
  metrics: UpstreamMetrics
}

export function upstreamMetrics(registry: Registry) {
  return {
    requests: new Counter({
      name: 'gateway_upstream_requests_total',
      help: 'Requests passed to each service, by the status class of its answer',
      labelNames: ['service', 'status'],
      registers: [registry],
    }),
    errors: new Counter({
      name: 'gateway_upstream_errors_total',
      help: 'Requests that got no answer from a service, by error code',
      labelNames: ['service', 'code'],
      registers: [registry],
    }),
    instanceUp: new Gauge({
      name: 'gateway_upstream_instance_up',
      help: '1 while an instance passes its readiness check and takes requests',
      labelNames: ['service', 'instance'],
      // With several processes, 0 when any of them has taken the instance out.
      aggregator: 'min',
      registers: [registry],
    }),
  }
}
export type UpstreamMetrics = ReturnType<typeof upstreamMetrics>

/**
 * The instances of one service behind the gateway: an undici BalancedPool spreads requests over
 * those in rotation. Every instance's `/health/ready` is checked every interval (and at once when a
 * request could not reach one); an instance that fails it is taken out of the rotation (as `ready`
 * says when) and put back when it passes again.
 */
export function createUpstream({
  name,
  urls,
  connectTimeoutMs,
  timeoutMs,
  connections,
  queueTimeoutMs,
  healthCheckIntervalMs,
  log,
  metrics,
}: UpstreamOptions) {
  const dispatcher = new BalancedPool(urls, {
    connections,
    connectTimeout: connectTimeoutMs,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    keepAliveTimeout: 30_000,
    // The answers are bounded JSON, read whole: a larger one is refused, not held in memory.
    maxResponseSize: MAX_ANSWER_BYTES,
  })
  const checks = new Agent({ connectTimeout: connectTimeoutMs, headersTimeout: healthCheckIntervalMs, bodyTimeout: healthCheckIntervalMs })
  const inRotation = new Set(urls)
  for (const url of urls) metrics.instanceUp.set({ service: name, instance: url }, 1)
  /** Checks in a row that each instance took its connection and left unanswered in time. */
  const unanswered = new Map(urls.map((url) => [url, 0]))

  /**
   * Whether `url` belongs in rotation after this check. An instance that says it is not ready, or
   * cannot be reached, is out at once; one that takes the check and leaves it unanswered in time is
   * checked again at once and out at the second such check in a row: one stall (of the instance,
   * or of this process while the check's timer ran) must not empty the rotation.
   */
  async function ready(url: string) {
    try {
      const response = await request(new URL('/health/ready', url), { dispatcher: checks })
      await response.body.dump()
      unanswered.set(url, 0)
      return response.statusCode === 200
    } catch (error) {
      const inARow = failureCode(error) === 'UND_ERR_HEADERS_TIMEOUT' ? (unanswered.get(url) ?? 0) + 1 : 0
      unanswered.set(url, inARow)
      return inARow === 1 && inRotation.has(url)
    }
  }

  function place(url: string, up: boolean) {
    if (up === inRotation.has(url)) return
    if (up) {
      dispatcher.addUpstream(url)
      inRotation.add(url)
      log.info({ service: name, instance: url }, 'instance ready: back in rotation')
      startWaiting()
    } else {
      dispatcher.removeUpstream(url)
      inRotation.delete(url)
      log.warn({ service: name, instance: url }, 'instance not ready: taken out of rotation')
    }
    metrics.instanceUp.set({ service: name, instance: url }, up ? 1 : 0)
  }

  // Requests out at the instances, at most one a connection; the others wait here, in order (a
  // request given up leaves the line and never reaches undici, whose own queue has no deadline).
  let sent = 0
  const waiting = new Set<() => void>()
  const hasRoom = () => sent < connections * inRotation.size
  /** Starts the requests waiting, first come first, while there is a connection for each. */
  function startWaiting() {
    for (const start of waiting) {
      if (!hasRoom()) return
      waiting.delete(start)
      start()
    }
  }

  /**
   * One request to an instance, its answer read whole: a dispatch whose handler keeps the chunks,
   * with no stream made for a body that is bounded JSON.
   */
  function send(options: Dispatcher.DispatchOptions): Promise<Answer> {
    sent++
    const done = () => {
      sent--
      startWaiting()
    }
    return new Promise<Answer>((resolve, reject) => {
      let status = 0
      let headers: IncomingHttpHeaders = {}
      const chunks: Buffer[] = []
      dispatcher.dispatch(options, {
        // Present, if empty, so undici takes this for a handler of its current kind (onResponseStart…):
        // one without it is driven through the legacy callbacks, which it does not have.
        onRequestStart() {},
        onResponseStart(_controller, statusCode, responseHeaders) {
          status = statusCode
          headers = responseHeaders
        },
        onResponseData(_controller, chunk) {
          chunks.push(chunk)
        },
        onResponseEnd() {
          done()
          resolve({ status, headers, body: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks) })
        },
        onResponseError(_controller, error) {
          done()
          reject(error)
        },
      })
    })
  }

  /**
   * Sends the request when a connection is free. When every one is taken, it waits for one at most
   * queueTimeoutMs (timed only then, so a request that finds a connection sets no timer); given up
   * then, or its client gone by the time a connection frees, it is never sent.
   */
  function exchange(options: Dispatcher.DispatchOptions, clientGone: () => boolean): Promise<Answer> {
    if (hasRoom() && waiting.size === 0) return send(options)
    return new Promise<Answer>((resolve, reject) => {
      const start = () => {
        clearTimeout(timer)
        if (clientGone()) reject(new NotSent('CLIENT_GONE'))
        else send(options).then(resolve, reject)
      }
      const timer = setTimeout(() => {
        waiting.delete(start)
        reject(new NotSent('UPSTREAM_QUEUE_TIMEOUT'))
      }, queueTimeoutMs)
      waiting.add(start)
    })
  }

  let checking: Promise<void> | undefined
  let closed = false
  /**
   * Checks every instance now (one round at a time), and places each by its answer; a round that
   * left one unanswered for the first time is followed by another at once.
   */
  const checkAll = () =>
    (checking ??= Promise.all(urls.map(async (url) => place(url, await ready(url))))
      .then(() => {})
      .catch((error: unknown) => log.error({ err: error, service: name }, 'checking the instances failed'))
      .finally(() => {
        checking = undefined
        if (!closed && [...unanswered.values()].includes(1)) void checkAll()
      }))
  const timer = setInterval(checkAll, healthCheckIntervalMs)
  timer.unref()

  return {
    name,
    dispatcher,
    exchange,
    /** How many instances are in rotation. */
    instances: () => inRotation.size,
    checkAll,
    /**
     * The gateway's readiness check of this service: up while any instance is in rotation, as the
     * last round of checks left it (a request to /health never makes the instances work).
     */
    async health(): Promise<CheckResult> {
      return { status: inRotation.size > 0 ? 'up' : 'down', latencyMs: 0 }
    },
    async close() {
      closed = true
      clearInterval(timer)
      await Promise.all([dispatcher.close(), checks.close()])
    },
  }
}

export type Upstream = ReturnType<typeof createUpstream>

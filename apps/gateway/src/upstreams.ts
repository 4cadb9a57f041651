import type { CheckResult } from '@otp-suite/service-kit'
import type { FastifyBaseLogger } from 'fastify'
import { Counter, Gauge, type Registry } from 'prom-client'
import { Agent, BalancedPool, request } from 'undici'

/** The largest answer a service may give (its API document is the largest, some tens of kB). */
const MAX_ANSWER_BYTES = 1024 * 1024

export type UpstreamOptions = {
  /** "otp-service". */
  name: string
  urls: string[]
  connectTimeoutMs: number
  timeoutMs: number
  connections: number
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
 * request could not reach one); an instance that fails is taken out of the rotation and put back
 * when it passes again.
 */
export function createUpstream({
  name,
  urls,
  connectTimeoutMs,
  timeoutMs,
  connections,
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

  async function ready(url: string) {
    try {
      const response = await request(new URL('/health/ready', url), { dispatcher: checks })
      await response.body.dump()
      return response.statusCode === 200
    } catch {
      return false
    }
  }

  function place(url: string, up: boolean) {
    if (up === inRotation.has(url)) return
    if (up) {
      dispatcher.addUpstream(url)
      inRotation.add(url)
      log.info({ service: name, instance: url }, 'instance ready: back in rotation')
    } else {
      dispatcher.removeUpstream(url)
      inRotation.delete(url)
      log.warn({ service: name, instance: url }, 'instance not ready: taken out of rotation')
    }
    metrics.instanceUp.set({ service: name, instance: url }, up ? 1 : 0)
  }

  let checking: Promise<void> | undefined
  /** Checks every instance now (one round at a time), and places each by its answer. */
  const checkAll = () =>
    (checking ??= Promise.all(urls.map(async (url) => place(url, await ready(url))))
      .then(() => {})
      .catch((error: unknown) => log.error({ err: error, service: name }, 'checking the instances failed'))
      .finally(() => {
        checking = undefined
      }))
  const timer = setInterval(checkAll, healthCheckIntervalMs)
  timer.unref()

  return {
    name,
    dispatcher,
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
      clearInterval(timer)
      await Promise.all([dispatcher.close(), checks.close()])
    },
  }
}

export type Upstream = ReturnType<typeof createUpstream>

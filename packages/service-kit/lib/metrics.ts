import type { FastifyInstance } from 'fastify'
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client'
import { serviceMetrics } from './processes.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** This instance's Prometheus registry: services register their own counters on it. */
    metricsRegistry: Registry
  }
}

/** One registry per app instance, so two instances in one process never collide. */
export function installMetrics(app: FastifyInstance) {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration in seconds',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  })
  const dropped = new Counter({
    name: 'http_connections_dropped_total',
    help: 'Connections closed at once because the process held MAX_CONNECTIONS',
    registers: [registry],
  })
  app.server.on('drop', () => dropped.inc())
  app.decorate('metricsRegistry', registry)
  const metrics = serviceMetrics(registry)

  app.addHook('onResponse', (request, reply, done) => {
    duration.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status_code: reply.statusCode },
      reply.elapsedTime / 1000,
    )
    done()
  })

  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    reply.type(registry.contentType)
    return metrics()
  })
}

import type { FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { type DocsOptions, installDocs } from './docs.ts'
import { installDrain } from './drain.ts'
import { type IsUnavailable, installErrorHandling } from './error-handler.ts'
import { type HealthChecks, installHealth } from './health.ts'
import { installJobs } from './jobs.ts'
import { installMetrics } from './metrics.ts'
import { createValidatorCompiler } from './validation.ts'

export type ServiceKitOptions = Omit<DocsOptions, 'hasDependencies'> & {
  /** Readiness checks by name (`database` for a service that owns one). */
  checks?: HealthChecks
  /** Recognises an error meaning a dependency is down (`isDatabaseUnavailable`): answered `503 SERVICE_UNAVAILABLE`. */
  isUnavailable?: IsUnavailable
}

/** How long closing waits for the handlers still running (see `installDrain`): well within the 10 s `listen` gives a close. */
const DRAIN_TIMEOUT_MS = 5_000

/** Everything a service shares with the others: errors, request ids, health, metrics, docs, jobs, a drain on close. */
export const serviceKit = fp<ServiceKitOptions>(
  async (app, options) => {
    const drained = installDrain(app)
    app.setValidatorCompiler(createValidatorCompiler())
    // JSON in, JSON out: a text body is refused with 415 rather than validated as a string.
    app.removeContentTypeParser('text/plain')
    // A route declared with `config: { optionalBody: true }` takes no body as an empty one.
    app.addHook('onRoute', (route) => {
      if (!route.config?.optionalBody) return
      const emptyBody = async (request: FastifyRequest) => {
        request.body ??= {}
      }
      route.preValidation = [emptyBody, ...[route.preValidation ?? []].flat()]
    })
    installErrorHandling(app, options.isUnavailable ?? (() => false))
    // Callback-style hooks: they run on every request, and cost no promise.
    app.addHook('onSend', (request, reply, payload, done) => {
      reply.header('x-request-id', request.id)
      done(null, payload)
    })
    await installDocs(app, { ...options, hasDependencies: options.isUnavailable !== undefined })
    installMetrics(app)
    installHealth(app, { service: options.service, version: options.version, checks: options.checks ?? {} })
    const stopJobs = installJobs(app)
    // preClose, not onClose: every preClose hook ends before the first onClose hook starts. Jobs are
    // told to stop at once, while the handlers still running finish.
    app.addHook('preClose', async () => {
      await Promise.all([stopJobs(), drained(DRAIN_TIMEOUT_MS)])
    })
  },
  { name: 'service-kit', fastify: '5.x' },
)

import type { IncomingMessage } from 'node:http'
import proxyAddr from '@fastify/proxy-addr'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify, { type FastifyInstance, type FastifyPluginAsync, LogController } from 'fastify'
import { answerClientError, answerFrameworkError } from './error-handler.ts'
import { type LogSettings, loggerOptions } from './logger.ts'
import { closeOnStop, inProcesses } from './processes.ts'
import { requestIdFrom } from './request-id.ts'

export type ServerSettings = LogSettings & {
  TRUSTED_PROXIES: string
  BODY_LIMIT_BYTES: number
  /** Connections a process holds at once; past it a new one is closed at once. Unset: no cap. */
  MAX_CONNECTIONS?: number
}

/**
 * The proxies whose X-Forwarded-For is believed, compiled once by the same library Fastify would
 * use; nobody when the list is empty.
 */
function trustedProxies(list: string): ReturnType<typeof proxyAddr.compile> | false {
  const entries = list
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
  if (entries.length === 0) return false
  try {
    return proxyAddr.compile(entries)
  } catch (error) {
    throw new Error(`Invalid configuration: TRUSTED_PROXIES: ${(error as Error).message}`)
  }
}

/** How a service's server is made beyond its settings. */
export type ServerOptions = {
  /** The gateway, which clients reach directly, says so. */
  publicEntry?: boolean
  /**
   * The longest a connection may stay silent while its request is handled: above the slowest
   * answer the service still gives in time (its own deadlines), below forever.
   */
  slowestAnswerMs?: number
}

/** The Fastify instance every service runs in: the same in production and in tests. */
export function createServer(settings: ServerSettings, { publicEntry = false, slowestAnswerMs = 30_000 }: ServerOptions = {}) {
  const app = Fastify({
    logger: loggerOptions(settings),
    requestIdHeader: false,
    genReqId: requestIdFrom,
    logController: new LogController({ requestIdLogLabel: 'requestId' }),
    trustProxy: trustedProxies(settings.TRUSTED_PROXIES),
    bodyLimit: settings.BODY_LIMIT_BYTES,
    // A client that sends its headers (or its request) too slowly is cut off: checked every 2 s,
    // not Node's 30 s, so a trickle of bytes cannot hold a connection far past the limit.
    connectionTimeout: 10_000,
    requestTimeout: 15_000,
    http: { headersTimeout: 10_000, connectionsCheckingInterval: 2_000 },
    keepAliveTimeout: 72_000,
    return503OnClosing: true,
    // A path that cannot be decoded, or a request that cannot be read, is answered in the
    // documented shape, as any error is.
    frameworkErrors: answerFrameworkError,
    clientErrorHandler: answerClientError,
    // A path parameter (a user id) longer than any valid one still reaches its route, whose token
    // check and validation answer it as any bad value.
    routerOptions: { maxParamLength: 1024 },
  }).withTypeProvider<TypeBoxTypeProvider>()
  // The idle limit (connectionTimeout) is for a connection that has not sent its request: Node
  // also applies it while a request is handled, and would cut the connection of a handler still
  // within its own deadlines (otp-service's delivery, the gateway's wait for a service). Once a
  // request has come it is `slowestAnswerMs` instead, which still cuts a connection whose answer
  // cannot be written (a client that stopped reading) or whose handler hangs; keepAliveTimeout
  // then bounds the wait for the next request.
  app.server.prependListener('request', (request: IncomingMessage) => request.socket.setTimeout(slowestAnswerMs))
  // A flood of connections costs each its socket's memory until a timeout cuts it: capped, so
  // memory stays bounded whatever the rate (Node closes the ones past it and emits 'drop').
  if (settings.MAX_CONNECTIONS) app.server.maxConnections = settings.MAX_CONNECTIONS
  if (settings.NODE_ENV === 'production' && settings.TRUSTED_PROXIES.trim() === '' && !publicEntry) {
    // Right for a service clients reach directly; behind a proxy, every client would share the
    // proxy's address and its per-address limits.
    app.log.warn('TRUSTED_PROXIES is empty: every client counts as the connecting address; list the proxies in front')
  }
  return app
}

/**
 * Listens on HOST:PORT, and on a stop (SIGTERM, SIGINT…, see `closeOnStop`) stops taking requests,
 * finishes the ones in flight and closes resources, within SHUTDOWN_TIMEOUT_MS.
 */
export async function listen(app: FastifyInstance, config: { HOST: string; PORT: number; SHUTDOWN_TIMEOUT_MS: number }) {
  closeOnStop(config.SHUTDOWN_TIMEOUT_MS, async ({ err, signal }) => {
    if (err) app.log.error({ err }, 'closing after an uncaught error')
    else app.log.info(signal ? { signal } : { askedBy: 'supervisor' }, 'closing')
    await app.close()
  })
  await app.listen({ host: config.HOST, port: config.PORT })
}

export type ServiceSettings = ServerSettings & { HOST: string; PORT: number; PROCESSES: number; SHUTDOWN_TIMEOUT_MS: number }

/**
 * Runs a service as production does: `app` with `config`, listening on HOST:PORT, in PROCESSES
 * processes sharing the port (see `inProcesses`).
 */
export async function serve<C extends ServiceSettings>(config: C, app: FastifyPluginAsync<{ config: C }>, options: ServerOptions = {}) {
  await inProcesses(config.PROCESSES, config, async () => {
    const server = createServer(config, options)
    await server.register(app, { config })
    await listen(server, config)
  })
}

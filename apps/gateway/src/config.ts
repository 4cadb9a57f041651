import { defineConfig, instanceUrls, loadConfig, type ServerOptions } from '@otp-suite/service-kit'
import { type Static, Type } from 'typebox'

export const GatewayConfig = defineConfig({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
  OTP_SERVICE_URLS: instanceUrls('http://127.0.0.1:3001'),
  USER_SERVICE_URLS: instanceUrls('http://127.0.0.1:3002'),
  ADMIN_SERVICE_URLS: instanceUrls('http://127.0.0.1:3003'),
  /** The longest connecting to an instance may take before the next one is tried. */
  UPSTREAM_CONNECT_TIMEOUT_MS: Type.Integer({ minimum: 50, default: 1000 }),
  /** The longest an instance may take to answer (and then between chunks of its answer). */
  UPSTREAM_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 15_000 }),
  /**
   * Connections per instance, opened as requests need them: as many requests in flight at once,
   * so a route held up (sends waiting on a stalled SMS or mail provider) leaves the others room.
   */
  UPSTREAM_CONNECTIONS: Type.Integer({ minimum: 1, default: 256 }),
  /**
   * The longest a request may wait for one of those connections (every one busy with a slow
   * answer, say); past it, it is answered 503 and never sent.
   */
  UPSTREAM_QUEUE_TIMEOUT_MS: Type.Integer({ minimum: 10, default: 2000 }),
  /** How often each instance's readiness is checked (a check gets about as long to answer); one that fails is taken out until it passes. */
  HEALTH_CHECK_INTERVAL_MS: Type.Integer({ minimum: 100, default: 2000 }),
  /** Where clients reach the gateway (https://api.example.com), the server the API document names; empty names it relatively ("/"). */
  PUBLIC_URL: Type.String({ default: '', pattern: '^(https?://[^\\s/]+(/[^\\s]*[^\\s/])?)?$' }),
  /** Browser origins allowed to call the API ("https://app.example.com,…"); empty allows none. */
  CORS_ORIGINS: Type.String({ default: '' }),
  /** Requests one client address may make per minute, on this gateway instance; 0 sets no ceiling. */
  RATE_LIMIT_PER_MINUTE: Type.Integer({ minimum: 0, default: 1200 }),
  /** The admin dashboard's built files, served at /admin/; empty serves the admin-dashboard package's build. */
  ADMIN_DASHBOARD_DIR: Type.String({ default: '' }),
  /** The body limit of the gateway: a larger body never reaches a service. */
  BODY_LIMIT_BYTES: Type.Integer({ minimum: 256, default: 16_384 }),
})

export type GatewayConfig = Static<typeof GatewayConfig>

/**
 * The services' instances may also be named as the other services name them (`OTP_SERVICE_URL`,
 * one URL or several): taken where the `…_URLS` form is not set.
 */
export const loadGatewayConfig = (env: NodeJS.ProcessEnv = process.env): GatewayConfig => {
  const named = { ...env }
  for (const service of ['OTP_SERVICE', 'USER_SERVICE', 'ADMIN_SERVICE']) {
    if (!named[`${service}_URLS`] && named[`${service}_URL`]) named[`${service}_URLS`] = named[`${service}_URL`]
  }
  return loadConfig(GatewayConfig, named)
}

/** The gateway's server: the public entry, whose requests wait up to UPSTREAM_TIMEOUT_MS for their service. */
export const gatewayServerOptions = (config: GatewayConfig): ServerOptions => ({
  publicEntry: true,
  slowestAnswerMs: config.UPSTREAM_TIMEOUT_MS + 5_000,
})

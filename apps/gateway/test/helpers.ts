import { randomBytes } from 'node:crypto'
import { type IncomingHttpHeaders, type IncomingMessage, request, type ServerResponse } from 'node:http'
import { createServer } from '@otp-suite/service-kit'
import { lastCode, otpServiceEnv, standIn, startService } from '@otp-suite/testing'
import type { Test } from 'tap'
import gatewayApp from '../src/app.ts'
import { gatewayServerOptions, loadGatewayConfig } from '../src/config.ts'

export { servedCount, standIn, until } from '@otp-suite/testing'

export const jwtSecret = randomBytes(32).toString('base64url')

/** Instances of the real otp-service on one database, trusting the gateway's address. */
export async function startOtpInstances(t: Test, count: number, env: Record<string, string> = {}) {
  const otp = otpServiceEnv(jwtSecret, { TRUSTED_PROXIES: '127.0.0.1', ...env })
  const first = await startService(t, 'otp-service', otp.env)
  const others = await Promise.all(
    Array.from({ length: count - 1 }, () => startService(t, 'otp-service', { ...otp.env, DATABASE_URL: first.databaseUrl as string })),
  )
  return { instances: [first, ...others], lastCode: (to: string) => lastCode(otp.outbox, to) }
}

export type GatewayEnv = Record<string, string | undefined>

export const testEnv = (overrides: GatewayEnv = {}): GatewayEnv => ({
  NODE_ENV: 'test',
  LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
  // Nothing listens on port 1: a service a test does not start is down.
  OTP_SERVICE_URLS: 'http://127.0.0.1:1',
  USER_SERVICE_URLS: 'http://127.0.0.1:1',
  ADMIN_SERVICE_URLS: 'http://127.0.0.1:1',
  HEALTH_CHECK_INTERVAL_MS: '200',
  ...overrides,
})

/** A gateway built exactly as the server builds it, listening on a free port; closed when the test ends. */
export async function startGateway(t: Test, env: GatewayEnv) {
  const config = loadGatewayConfig(env)
  const app = createServer(config, gatewayServerOptions(config))
  await app.register(gatewayApp, { config })
  await app.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => app.close())
  return { app, url: `http://127.0.0.1:${(app.server.address() as { port: number }).port}` }
}

export const json = { 'content-type': 'application/json' }

/**
 * An instance that passes readiness checks while `ready()` says so and handles every other request
 * with `handle`; `requests` lists those.
 */
export async function stubInstance(
  t: Test,
  handle: (request: IncomingMessage, response: ServerResponse) => void,
  ready: () => boolean = () => true,
) {
  const requests: string[] = []
  const url = await standIn(t, (request, response) => {
    if (request.url === '/health/ready') return response.writeHead(ready() ? 200 : 503).end(`{"status":"${ready() ? 'ok' : 'down'}"}`)
    requests.push(`${request.method} ${request.url}`)
    handle(request, response)
  })
  return { url, requests }
}

/** A request sent exactly as given (fetch would clean up its path and refuse some headers and methods). */
export const rawRequest = (
  url: string,
  {
    method = 'GET',
    path = '/',
    headers = {},
    body = '',
  }: { method?: string; path?: string; headers?: Record<string, string>; body?: string },
) =>
  new Promise<{ status: number; headers: IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const { hostname, port } = new URL(url)
    request({ host: hostname, port, path, method, headers }, (response) => {
      let text = ''
      response.on('data', (chunk) => {
        text += chunk
      })
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text }))
    })
      .on('error', reject)
      .end(body)
  })

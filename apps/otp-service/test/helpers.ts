import { randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createDatabase } from '@otp-suite/db'
import { createServer } from '@otp-suite/service-kit'
import { scratchDir, testDatabase as sharedTestDatabase } from '@otp-suite/testing'
import type { Test } from 'tap'
import otpServiceApp from '../src/app.ts'
import { loadOtpServiceConfig } from '../src/config.ts'
import { PrismaClient } from '../src/generated/prisma/client.ts'

export const migrationsDir = new URL('../prisma/migrations', import.meta.url).pathname
export const jwtSecret = randomBytes(32).toString('base64url')

/** A fresh, migrated database of this service's own for one test file (see `testDatabase`). */
export const testDatabase = (t: Test) => sharedTestDatabase(t, { migrationsDir, prefix: 'otp_test' })

/** otp-service's pool and Prisma client on `url`, as the app makes them; closed when the test ends. */
export function connectDatabase(t: Test, url: string) {
  const database = createDatabase({ url, poolMax: 2 }, (adapter) => new PrismaClient({ adapter }))
  t.teardown(() => database.close())
  return database
}

/** Settings of a production start: random-looking secrets, and the outbox allowed. */
export const productionEnv = {
  NODE_ENV: 'production',
  OTP_ALLOW_DEV_DELIVERY: 'true',
  JWT_SECRET: 'Zq3vN8xK2mR7pL4wT9yB6cH1dF5gJ0sA',
  OTP_PEPPER: 'Hk7Wm2Qx9Rt4Vy1Nb6Pz3Lc8Fs5Dg0Ja',
}

export type OtpEnv = Record<string, string | undefined>

/** Environment of a test instance: outbox delivery to a file of its own, housekeeping off. */
export function testEnv(databaseUrl: string, overrides: OtpEnv = {}): OtpEnv {
  const outbox = join(scratchDir('otp-outbox-'), 'outbox.jsonl')
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_MAX: '20',
    JWT_SECRET: jwtSecret,
    OTP_PEPPER: 'test-pepper-0123456789abcdef',
    SMS_PROVIDER: 'outbox',
    EMAIL_PROVIDER: 'outbox',
    OTP_OUTBOX_FILE: outbox,
    OTP_CLEANUP_INTERVAL_SECONDS: '0',
    ...overrides,
  }
}

/** An otp-service instance built exactly as the server builds it; closed when the test ends. */
export async function buildOtpService(t: Test, env: OtpEnv) {
  const config = loadOtpServiceConfig(env)
  const app = createServer(config)
  await app.register(otpServiceApp, { config })
  await app.ready()
  t.teardown(() => app.close())
  return app
}

type OutboxLine = { channel: string; to: string; purpose: string; code: string; at: string }

export async function outbox(env: OtpEnv): Promise<OutboxLine[]> {
  const text = await readFile(env.OTP_OUTBOX_FILE as string, 'utf8').catch(() => '')
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as OutboxLine)
}

/** The newest code delivered to `to`. */
export async function lastCode(env: OtpEnv, to: string): Promise<string> {
  const line = (await outbox(env)).filter((entry) => entry.to === to).at(-1)
  if (!line) throw new Error(`no code was delivered to ${to}`)
  return line.code
}

type App = Awaited<ReturnType<typeof buildOtpService>>

/** POST to one of the OTP routes (`send`, `resend`, `verify`). */
export function post(app: App, route: 'send' | 'resend' | 'verify', payload: unknown, headers: Record<string, string> = {}) {
  return app.inject({ method: 'POST', url: `/api/v1/otp/${route}`, payload: payload as object, headers })
}

/** Two instances on one database, reached over real HTTP, as behind the gateway (which is trusted). */
export async function twoInstances(t: Test, databaseUrl: string, overrides: OtpEnv = {}) {
  const env = testEnv(databaseUrl, { TRUSTED_PROXIES: '127.0.0.1', ...overrides })
  const urls: string[] = []
  for (let i = 0; i < 2; i++) {
    const app = await buildOtpService(t, env)
    urls.push(await app.listen({ host: '127.0.0.1', port: 0 }))
  }
  const post = async (instance: number, path: string, body: object, headers: Record<string, string> = {}) => {
    const response = await fetch(`${urls[instance]}/api/v1/otp/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    })
    return { status: response.status, body: (await response.json()) as Record<string, unknown> }
  }
  return { env, urls, post }
}

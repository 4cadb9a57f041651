import { randomBytes } from 'node:crypto'
import { createTokenService } from '@otp-suite/jwt'
import { createServer } from '@otp-suite/service-kit'
import { otpServiceEnv, type RunningService, testDatabase as sharedTestDatabase, startService } from '@otp-suite/testing'
import type { Test } from 'tap'
import adminServiceApp from '../src/app.ts'
import { loadAdminServiceConfig } from '../src/config.ts'

export { servedCount, until } from '@otp-suite/testing'

export const migrationsDir = new URL('../prisma/migrations', import.meta.url).pathname
export const jwtSecret = randomBytes(32).toString('base64url')
/** The suite's token service on the shared secret, as otp-service signs proofs with it. */
export const tokens = createTokenService({ secret: jwtSecret })

/** Phones that user-service makes admins when they first sign in. */
export const ADMIN_PHONES = ['+14155550900', '+14155550901', '+14155550902']

/** A fresh, migrated database of this service's own for one test file (see `testDatabase`). */
export const testDatabase = (t: Test) => sharedTestDatabase(t, { migrationsDir, prefix: 'admin_test' })

export type SignedIn = { accessToken: string; refreshToken: string; user: { id: string; role: string; status: string } }

/** The real otp-service and user-service, each a process of its own on a database of its own. */
export async function startUpstreams(t: Test) {
  const otp = await startService(t, 'otp-service', otpServiceEnv(jwtSecret).env)
  const users = await startService(t, 'user-service', {
    JWT_SECRET: jwtSecret,
    ADMIN_BOOTSTRAP: ADMIN_PHONES.join(','),
    OTP_SERVICE_URL: otp.url,
  })
  // A service's first use of a query prepares it (hundreds of milliseconds; seconds on a loaded
  // machine): done once here, so the tests' upstream timeouts meet the services warm.
  const service = `Bearer ${tokens.sign('service', { sub: 'admin-service' }).token}`
  for (const { url } of [otp, users]) {
    for (const path of ['/internal/v1/stats', '/internal/v1/stats/series'])
      await fetch(`${url}${path}`, { headers: { authorization: service } })
  }

  /** Signs in to user-service with a proof for `phone`, as a client does after verifying a code. */
  async function signIn(phone: string): Promise<SignedIn> {
    const proof = tokens.sign('otp_proof', { sub: phone, channel: 'sms', purpose: 'login', userType: 'live' }).token
    const response = await fetch(`${users.url}/api/v1/auth/otp/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ proof }),
    })
    if (response.status !== 200) throw new Error(`sign-in failed: ${response.status} ${await response.text()}`)
    return (await response.json()) as SignedIn
  }

  return { otp, users, signIn }
}

export type AdminEnv = Record<string, string | undefined>

export const testEnv = (databaseUrl: string, upstreams: { otp: RunningService; users: RunningService }, overrides: AdminEnv = {}) => ({
  NODE_ENV: 'test',
  LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
  DATABASE_URL: databaseUrl,
  JWT_SECRET: jwtSecret,
  OTP_SERVICE_URL: upstreams.otp.url,
  USER_SERVICE_URL: upstreams.users.url,
  ...overrides,
})

/** An admin-service instance built exactly as the server builds it; closed when the test ends. */
export async function buildAdminService(t: Test, env: AdminEnv) {
  const config = loadAdminServiceConfig(env)
  const app = createServer(config)
  await app.register(adminServiceApp, { config })
  await app.ready()
  t.teardown(() => app.close())
  return app
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

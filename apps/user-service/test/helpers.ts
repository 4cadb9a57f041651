import { randomBytes } from 'node:crypto'
import { createTokenService } from '@otp-suite/jwt'
import { createServer } from '@otp-suite/service-kit'
import { testDatabase as sharedTestDatabase } from '@otp-suite/testing'
import type { Test } from 'tap'
import userServiceApp from '../src/app.ts'
import { loadUserServiceConfig } from '../src/config.ts'

export const migrationsDir = new URL('../prisma/migrations', import.meta.url).pathname
export const jwtSecret = randomBytes(32).toString('base64url')
/** The suite's token service on the shared secret: what otp-service signs proofs with, and admin-service service tokens. */
export const tokens = createTokenService({ secret: jwtSecret })
export const serviceToken = () => tokens.sign('service', { sub: 'admin-service' }).token

/** A fresh, migrated database of this service's own for one test file (see `testDatabase`). */
export const testDatabase = (t: Test) => sharedTestDatabase(t, { migrationsDir, prefix: 'user_test' })

export type UserEnv = Record<string, string | undefined>

export const testEnv = (databaseUrl: string, overrides: UserEnv = {}): UserEnv => ({
  NODE_ENV: 'test',
  LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
  DATABASE_URL: databaseUrl,
  JWT_SECRET: jwtSecret,
  USER_CLEANUP_INTERVAL_SECONDS: '0',
  // No otp-service unless a test starts one: bans are queued, and sent only when a test asks.
  OTP_SERVICE_URL: 'http://127.0.0.1:1',
  DESTINATION_BLOCK_RETRY_SECONDS: '0',
  ...overrides,
})

/** A user-service instance built exactly as the server builds it; closed when the test ends. */
export async function buildUserService(t: Test, env: UserEnv) {
  const config = loadUserServiceConfig(env)
  const app = createServer(config)
  await app.register(userServiceApp, { config })
  await app.ready()
  t.teardown(() => app.close())
  return app
}

type Proof = {
  sub: string
  channel?: 'sms' | 'email'
  purpose?: 'login' | 'signup' | 'verify_phone' | 'verify_email'
  userType?: 'live' | 'demo'
}

/** A proof as otp-service signs one after a verified code. */
export const proofFor = ({ sub, channel = sub.includes('@') ? 'email' : 'sms', purpose = 'login', userType = 'live' }: Proof) =>
  tokens.sign('otp_proof', { sub, channel, purpose, userType }).token

type App = Awaited<ReturnType<typeof buildUserService>>

export async function login(app: App, proof: Proof) {
  const reply = await app.inject({ method: 'POST', url: '/api/v1/auth/otp/login', payload: { proof: proofFor(proof) } })
  if (reply.statusCode !== 200) throw new Error(`login failed: ${reply.statusCode} ${reply.body}`)
  return reply.json() as {
    accessToken: string
    refreshToken: string
    expiresIn: number
    user: { id: string; role: string; status: string; phone: string | null }
  }
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

// Loads user-service on loopback against real PostgreSQL: the authenticated GET /users/me (which
// pays the revocation check) and introspection, each against a route of the same server doing one
// indexed lookup, and sign-in (proof → tokens). Prints the figures; asserts nothing.
import { randomBytes } from 'node:crypto'
import { buildTarget, type LoadTarget, printRounds, runRounds, startTarget } from '@otp-suite/bench'
import { createTestDatabase } from '@otp-suite/db/testing'
import { createTokenService } from '@otp-suite/jwt'

const connections = Number(process.env.BENCH_CONNECTIONS ?? 50)
const duration = Number(process.env.BENCH_DURATION ?? 10)
const warmup = Number(process.env.BENCH_WARMUP ?? 3)
const rounds = Number(process.env.BENCH_ROUNDS ?? 3)
const root = new URL('..', import.meta.url).pathname
const port = 3902
const base = `http://127.0.0.1:${port}`

const database = await createTestDatabase({ migrationsDir: `${root}prisma/migrations`, prefix: 'user_bench' })
const secret = randomBytes(32).toString('base64url')
const tokens = createTokenService({ secret })
const server = await startTarget(buildTarget(root, 'bench/server.ts'), {
  cwd: root,
  port,
  env: {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    JWT_SECRET: secret,
    DATABASE_URL: database.url,
    OTP_ALLOW_DEV_DELIVERY: 'true',
    USER_CLEANUP_INTERVAL_SECONDS: '0',
    DESTINATION_BLOCK_RETRY_SECONDS: '0',
  },
})

const phone = (n: number) => `+1415${200 + (Math.floor(n / 10_000) % 800)}${String(n % 10_000).padStart(4, '0')}`
const proof = (n: number) => tokens.sign('otp_proof', { sub: phone(n), channel: 'sms', purpose: 'login', userType: 'live' }).token
const json = { 'content-type': 'application/json' }

// One signed-in user per connection, as many clients would be.
const sessions = await Promise.all(
  Array.from({ length: connections }, async (_, i) => {
    const response = await fetch(`${base}/api/v1/auth/otp/login`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ proof: proof(i) }),
    })
    return (await response.json()) as { accessToken: string; user: { id: string } }
  }),
)
const service = `Bearer ${tokens.sign('service', { sub: 'admin-service' }, { expiresIn: 3600 }).token}`

let signIns = 0
const targets: LoadTarget[] = [
  { name: 'one indexed lookup', request: (c) => ({ method: 'GET', path: `/bench/lookup/${sessions[c]?.user.id}` }) },
  {
    name: 'GET /users/me',
    request: (c) => ({ method: 'GET', path: '/api/v1/users/me', headers: { authorization: `Bearer ${sessions[c]?.accessToken}` } }),
  },
  {
    name: 'introspection',
    request: (c) => ({
      method: 'POST',
      path: '/internal/v1/tokens/introspect',
      headers: { ...json, authorization: service },
      body: JSON.stringify({ token: sessions[c]?.accessToken }),
    }),
  },
  // Returning users over a thousand numbers of their own (not the users the other targets read), each
  // sign-in with a proof of its own.
  {
    name: 'sign-in (proof → tokens)',
    request: () => ({ method: 'POST', path: '/api/v1/auth/otp/login', headers: json }),
    perRequest: () => ({ body: JSON.stringify({ proof: proof(connections + (signIns++ % 1000)) }) }),
  },
]

let runs: Awaited<ReturnType<typeof runRounds>>
try {
  runs = await runRounds({ base, pid: server.pid, targets, connections, duration, warmup, rounds })
} finally {
  await server.stop()
  await database.drop()
}

printRounds(
  `user-service, ${connections} connections, ${duration} s per target after ${warmup} s warm-up, median of ${rounds} rounds taken in turns`,
  runs,
  [
    ['GET /users/me', 'one indexed lookup'],
    ['introspection', 'one indexed lookup'],
  ],
)

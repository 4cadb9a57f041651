// Loads user-service on loopback against real PostgreSQL: the authenticated GET /users/me (which
// pays the revocation check) and introspection, each against a route of the same server doing one
// indexed lookup, and sign-in (proof → tokens). Prints the figures; asserts nothing.
import { randomBytes } from 'node:crypto'
import { buildTarget, cpuWindow, median, peakRssMb, startTarget } from '@otp-suite/bench'
import { createTestDatabase } from '@otp-suite/db/testing'
import { createTokenService } from '@otp-suite/jwt'
import autocannon from 'autocannon'

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

type Target = { name: string; request: (connection: number) => autocannon.Request; perRequest?: () => Partial<autocannon.Request> }
let signIns = 0
const targets: Target[] = [
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

function load(target: Target, seconds: number) {
  let connection = 0
  return autocannon({
    url: base,
    connections,
    duration: seconds,
    // Per-connection state belongs in setupClient: autocannon resets a request's context every loop.
    setupClient: (client) => {
      const request = target.request(connection++ % connections)
      client.setRequests([target.perRequest ? { ...request, setupRequest: (r) => ({ ...r, ...target.perRequest?.() }) } : request])
    },
  })
}

type Row = Record<string, string | number> & { target: string; 'requests/s': number }
const runs = new Map(targets.map((target) => [target.name, [] as Row[]]))
try {
  // The reads take turns round after round, so a slow moment of the machine falls on all of them;
  // sign-in, which writes (and leaves vacuuming and checkpoints behind), runs its rounds after them.
  const writes = (target: Target) => target.perRequest !== undefined
  for (const group of [targets.filter((target) => !writes(target)), targets.filter(writes)]) {
    for (let round = 0; round < rounds; round++) {
      for (const target of group) {
        await load(target, warmup)
        const cpu = cpuWindow(server.pid)
        const result = await load(target, duration)
        runs.get(target.name)?.push({
          target: target.name,
          'requests/s': Math.round(result.requests.total / result.duration),
          'p50 ms': result.latency.p50,
          'p99 ms': result.latency.p99,
          'non-2xx': result.non2xx,
          errors: result.errors + result.timeouts,
          'peak RSS MB': Math.round(peakRssMb(server.pid)),
          ...cpu(),
        })
      }
    }
  }
} finally {
  await server.stop()
  await database.drop()
}

const medianRow = (rows: Row[]) => rows.find((row) => row['requests/s'] === median(rows.map((each) => each['requests/s']))) as Row
console.log(
  `\nuser-service, ${connections} connections, ${duration} s per target after ${warmup} s warm-up, median of ${rounds} rounds taken in turns\n`,
)
console.table([...runs.values()].map(medianRow))
for (const [name, rows] of runs) {
  console.log(
    `${name} by round: requests/s ${rows.map((row) => row['requests/s']).join(', ')}; p99 ms ${rows.map((row) => row['p99 ms']).join(', ')}`,
  )
}
const rate = (name: string) => median((runs.get(name) ?? []).map((row) => row['requests/s']))
for (const name of ['GET /users/me', 'introspection']) {
  console.log(`${name} / one indexed lookup: ${(rate(name) / rate('one indexed lookup')).toFixed(2)}x`)
}

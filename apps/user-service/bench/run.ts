// Loads user-service on loopback against real PostgreSQL: the authenticated GET /users/me (which
// pays the revocation check) and introspection, each against a route of the same server doing one
// indexed lookup, and sign-in (proof → tokens). With BENCH_SCALE=1 a second instance runs on a
// database of its own seeded with 1 million users and 5 million blacklist rows (most expired), its
// reads taking turns with the small one's in the same rounds, and is loaded once more while another
// instance's cleanup deletes the dead rows. Prints the figures; asserts nothing.
import { randomBytes } from 'node:crypto'
import { buildTarget, type LoadTarget, loadOnce, printRounds, rowCount, runRounds, seedRows, startTarget } from '@otp-suite/bench'
import { createTestDatabase } from '@otp-suite/db/testing'
import { createTokenService } from '@otp-suite/jwt'

const connections = Number(process.env.BENCH_CONNECTIONS ?? 50)
const duration = Number(process.env.BENCH_DURATION ?? 10)
const warmup = Number(process.env.BENCH_WARMUP ?? 3)
const rounds = Number(process.env.BENCH_ROUNDS ?? 3)
const root = new URL('..', import.meta.url).pathname
const port = 3902

const secret = randomBytes(32).toString('base64url')
const tokens = createTokenService({ secret })
const bundle = buildTarget(root, 'bench/server.ts')
const env = {
  NODE_ENV: 'production',
  LOG_LEVEL: 'warn',
  JWT_SECRET: secret,
  OTP_ALLOW_DEV_DELIVERY: 'true',
  USER_CLEANUP_INTERVAL_SECONDS: '0',
  DESTINATION_BLOCK_RETRY_SECONDS: '0',
}
const phone = (n: number) => `+1415${200 + (Math.floor(n / 10_000) % 800)}${String(n % 10_000).padStart(4, '0')}`
const proof = (n: number) => tokens.sign('otp_proof', { sub: phone(n), channel: 'sms', purpose: 'login', userType: 'live' }).token
const json = { 'content-type': 'application/json' }
const service = `Bearer ${tokens.sign('service', { sub: 'admin-service' }, { expiresIn: 3600 }).token}`
const stops: (() => Promise<unknown>)[] = []

/** An instance on a fresh database (`seed` fills it first), with one signed-in user per connection, as many clients would be. */
async function instance(port: number, seed: (databaseUrl: string) => Promise<unknown> = async () => {}) {
  const database = await createTestDatabase({ migrationsDir: `${root}prisma/migrations`, prefix: 'user_bench' })
  stops.push(database.drop)
  await seed(database.url)
  const server = await startTarget(bundle, { cwd: root, port, env: { ...env, DATABASE_URL: database.url } })
  stops.push(server.stop)
  const base = `http://127.0.0.1:${port}`
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
  return { databaseUrl: database.url, base, pid: server.pid, sessions }
}
type Instance = Awaited<ReturnType<typeof instance>>

/** The reads of `on`, their names ending in `label`. */
const readsOf = (on: Instance, label = ''): LoadTarget[] => [
  {
    name: `one indexed lookup${label}`,
    server: on,
    request: (c) => ({ method: 'GET', path: `/bench/lookup/${on.sessions[c]?.user.id}` }),
  },
  {
    name: `GET /users/me${label}`,
    server: on,
    request: (c) => ({ method: 'GET', path: '/api/v1/users/me', headers: { authorization: `Bearer ${on.sessions[c]?.accessToken}` } }),
  },
  {
    name: `introspection${label}`,
    server: on,
    request: (c) => ({
      method: 'POST',
      path: '/internal/v1/tokens/introspect',
      headers: { ...json, authorization: service },
      body: JSON.stringify({ token: on.sessions[c]?.accessToken }),
    }),
  },
]

const large = ', 1 M users + 5 M blacklist rows'
const title = `${connections} connections, ${duration} s per target after ${warmup} s warm-up, median of ${rounds} rounds taken in turns`
try {
  const small = await instance(port)
  let signIns = 0
  const targets: LoadTarget[] = [
    ...readsOf(small),
    // Returning users over a thousand numbers of their own (not the users the other targets read), each
    // sign-in with a proof of its own.
    {
      name: 'sign-in (proof → tokens)',
      server: small,
      request: () => ({ method: 'POST', path: '/api/v1/auth/otp/login', headers: json }),
      perRequest: () => ({ body: JSON.stringify({ proof: proof(connections + (signIns++ % 1000)) }) }),
    },
  ]
  const big = process.env.BENCH_SCALE ? await instance(port + 2, seedLarge) : undefined
  if (big) targets.push(...readsOf(big, large))
  const runs = await runRounds({ targets, connections, duration, warmup, rounds })
  const ratios: [string, string][] = ['', ...(big ? [large] : [])].flatMap((label) => [
    [`GET /users/me${label}`, `one indexed lookup${label}`],
    [`introspection${label}`, `one indexed lookup${label}`],
  ])
  if (big) for (const { name } of readsOf(small)) ratios.push([`${name}${large}`, name])
  printRounds(`user-service, ${title}`, runs, ratios)
  if (big) await cleanupUnderLoad(big)
} finally {
  for (const stop of stops.toReversed()) await stop()
}

/** 1 million users and 5 million blacklist rows, nine in ten of them expired. */
async function seedLarge(databaseUrl: string) {
  const seconds = {
    users: await seedRows(
      databaseUrl,
      'users',
      `INSERT INTO users (id, user_type, phone, phone_verified, created_at, updated_at)
       SELECT gen_random_uuid(), 'live', '+1999' || lpad(g::text, 7, '0'), true, now() - g * interval '1 second', now()
       FROM generate_series($1::int, $2::int) g`,
      1_000_000,
    ),
    // Nine in ten past their expiry (the cleanup's to delete), one in ten still to be refused.
    blacklist: await seedRows(
      databaseUrl,
      'blacklisted_tokens',
      `INSERT INTO blacklisted_tokens (token_hash, expires_at)
       SELECT sha256(int8send(g)), CASE WHEN g % 10 = 0 THEN now() + interval '1 day' ELSE now() - interval '2 hours' END
       FROM generate_series($1::bigint, $2::bigint) g`,
      5_000_000,
    ),
  }
  console.log(`seeded 1,000,000 users in ${seconds.users} s and 5,000,000 blacklist rows in ${seconds.blacklist} s`)
}

/** Another instance with the cleanup every second deletes the dead rows in batches while `on` serves /users/me. */
async function cleanupUnderLoad(on: Instance) {
  const me = readsOf(on).find((target) => target.name === 'GET /users/me') as LoadTarget
  const before = await rowCount(on.databaseUrl, 'blacklisted_tokens')
  const cleaner = await startTarget(bundle, {
    cwd: root,
    port: port + 1,
    env: { ...env, DATABASE_URL: on.databaseUrl, USER_CLEANUP_INTERVAL_SECONDS: '1' },
  })
  try {
    const during = await loadOnce(on.base, connections, me, duration)
    const after = await rowCount(on.databaseUrl, 'blacklisted_tokens')
    console.log(
      `cleanup under load: blacklist ${before.toLocaleString('en')} → ${after.toLocaleString('en')} rows in ${duration} s ` +
        `(${Math.round((before - after) / duration).toLocaleString('en')} rows/s); GET /users/me meanwhile ` +
        `${Math.round(during.requests.average)} requests/s, p50 ${during.latency.p50} ms, p99 ${during.latency.p99} ms, max ${during.latency.max} ms`,
    )
  } finally {
    await cleaner.stop()
  }
}

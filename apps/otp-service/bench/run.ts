// Loads the sign-in cycle (send a code, read it from the outbox, verify it) on loopback against
// real PostgreSQL, for otp-service, the designs it replaces (seed 000's SQL table, Redis) and two
// ceilings (validation only; validation and one indexed lookup), and prints the figures. With
// BENCH_SCALE=1, otp-service also runs on a database of its own with 5 million rows in its table
// (nine in ten long dead), taking its turn in the same rounds, and is measured once more while
// another instance's cleanup deletes them.
import { randomBytes } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  addUp,
  buildTarget,
  inTurns,
  measureSlice,
  median,
  otpServiceUnderLoad,
  peakRssMb,
  rowCount,
  type Slice,
  seedRows,
  settleDatabase,
  sliceOptions,
  slicesPerRound,
  startTarget,
  turnOrder,
  watchServer,
} from '@otp-suite/bench'
import { createTestDatabase } from '@otp-suite/db/testing'
import { outboxReader, scratchDir } from '@otp-suite/testing'
import autocannon from 'autocannon'

const connections = Number(process.env.BENCH_CONNECTIONS ?? 50)
const duration = Number(process.env.BENCH_DURATION ?? 10)
const warmup = Number(process.env.BENCH_WARMUP ?? 3)
const root = new URL('..', import.meta.url).pathname
const port = 3901

const database = await createTestDatabase({ migrationsDir: join(root, 'prisma/migrations'), prefix: 'otp_bench' })

type Target = { name: string; script: string; env: NodeJS.ProcessEnv; databaseUrl?: string }
const service: Target = {
  name: 'otp-service',
  script: 'src/server.ts',
  env: {
    ...otpServiceUnderLoad,
    LOG_LEVEL: 'warn',
    JWT_SECRET: randomBytes(32).toString('base64url'),
    DATABASE_POOL_MAX: process.env.BENCH_POOL_MAX ?? '10',
  },
}
// otp-service and the baseline it is held against next to each other, in both orders of the turns, so
// each round's ratio compares two turns seconds apart.
const targets: Target[] = [
  service,
  { name: 'baseline (seed 000)', script: 'bench/baseline-server.ts', env: {} },
  // Where its one thread is the limit: two processes sharing the port.
  { ...service, name: 'otp-service, 2 processes', env: { ...service.env, PROCESSES: '2' } },
  { name: 'baseline (Redis)', script: 'bench/redis-baseline-server.ts', env: {} },
  { name: 'one lookup + validation', script: 'bench/noop-server.ts', env: { BENCH_LOOKUP: '1' } },
  { name: 'no-op + validation', script: 'bench/noop-server.ts', env: {} },
]

const large = process.env.BENCH_SCALE
  ? await createTestDatabase({ migrationsDir: join(root, 'prisma/migrations'), prefix: 'otp_bench' })
  : undefined
const scaled = large && { ...service, name: 'otp-service, 5 million codes', databaseUrl: large.url }
if (large && scaled) {
  await seedLarge(large.url)
  targets.splice(1, 0, scaled)
}

// Each target runs compiled, as in production: plain Node, no TypeScript loader.
const compiled = new Map(targets.map((target) => [target.script, buildTarget(root, target.script)]))

let cycle = 0
/**
 * Loads the cycle for `seconds`. Its count of cycles is its codes sent and verified, halved: a
 * cycle that the end of a slice cuts short counts for the step it made, so that slices of any
 * length add up to the rate of whole cycles.
 */
async function load(port: number, seconds: number, outbox: ReturnType<typeof outboxReader>) {
  let steps = 0
  const headers = { 'content-type': 'application/json' }
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections,
    duration: seconds,
    ...sliceOptions,
    requests: [
      {
        method: 'POST',
        path: '/api/v1/otp/send',
        setupRequest: (request, context: { to?: string }) => {
          const n = ++cycle
          // A number of the kind real users send: a valid US number (exchange 200-999).
          context.to = `+1415${200 + (Math.floor(n / 10_000) % 800)}${String(n % 10_000).padStart(4, '0')}`
          // A client address per cycle, as many users behind the gateway.
          const ip = `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`
          return {
            ...request,
            headers: { ...headers, 'x-forwarded-for': ip },
            body: JSON.stringify({ channel: 'sms', to: context.to, purpose: 'login' }),
          }
        },
        onResponse: (status) => {
          if (status === 202) steps++
        },
      },
      {
        method: 'POST',
        path: '/api/v1/otp/verify',
        setupRequest: (request, context: { to?: string }) => {
          const to = context.to as string
          return {
            ...request,
            headers,
            body: JSON.stringify({ channel: 'sms', to, purpose: 'login', code: outbox.codeFor(to) ?? '000000' }),
          }
        },
        onResponse: (status) => {
          if (status === 200) steps++
        },
      },
    ],
  })
  return Object.assign(result, { cycles: steps / 2 })
}

// BENCH_ONLY=baseline runs the targets whose names start so; BENCH_ONLY=otp-service,baseline those starting with either.
const only = process.env.BENCH_ONLY?.split(',')
const selected = targets.filter((target) => !only || only.some((prefix) => target.name.startsWith(prefix)))
type Row = Record<string, string | number> & { target: string; 'cycles/s': number; 'requests/s': number }

/** A target's server, started on a port of its own with an outbox of its own. */
async function launch(target: Target, targetPort: number, env: NodeJS.ProcessEnv = {}) {
  const outboxFile = join(scratchDir('otp-bench-'), 'outbox.jsonl')
  writeFileSync(outboxFile, '')
  const server = await startTarget(compiled.get(target.script) as string, {
    cwd: root,
    port: targetPort,
    env: {
      ...target.env,
      NODE_ENV: 'production',
      OTP_ALLOW_DEV_DELIVERY: 'true',
      DATABASE_URL: target.databaseUrl ?? database.url,
      OTP_OUTBOX_FILE: outboxFile,
      ...env,
    },
  })
  const outbox = outboxReader(outboxFile)
  return {
    target,
    server,
    load: (seconds: number) => load(targetPort, seconds, outbox),
    async stop() {
      await server.stop()
      outbox.close()
    },
  }
}
type Running = Awaited<ReturnType<typeof launch>>

/** A target's figures over its slices (`addUp`), with the cycles it completed. */
function summarize(running: Running, slices: Slice<{ cycles: number }>[]): Row {
  const { seconds, statuses, 'requests/s': requests, ...figures } = addUp(slices, connections)
  return {
    target: running.target.name,
    'requests/s': requests,
    'cycles/s': Math.round(slices.reduce((sum, slice) => sum + slice.result.cycles, 0) / seconds),
    ...figures,
    'peak RSS MB': Math.round(peakRssMb(running.server.pid)),
  }
}

// Autovacuum's work and a checkpoint, done after each round (this server may run with autovacuum
// off): no round runs on the dead rows or the dirty pages the rounds before it left.
const settle = async () => {
  for (const url of [database.url, ...(large ? [large.url] : [])]) await settleDatabase(url)
}

/**
 * One round: every target started, each on a port of its own, and warmed up; then loaded in
 * slices taken in turns (`inTurns`), `duration` seconds in all.
 */
async function runRound(order: readonly Target[]): Promise<Row[]> {
  const running: Running[] = []
  try {
    for (const target of order) running.push(await launch(target, port + running.length))
    for (const each of running) await each.load(warmup)
    const slices = await inTurns(running, slicesPerRound, (each) =>
      measureSlice(watchServer(each.server.pid), duration / slicesPerRound, each.load),
    )
    return running.map((each) => summarize(each, slices.get(each) ?? []))
  } finally {
    await Promise.allSettled(running.map((each) => each.stop()))
    await settle()
  }
}

// Rounds in alternating order too (`turnOrder`): the targets start and warm up in it.
const rounds = Number(process.env.BENCH_ROUNDS ?? 5)
const runs = new Map(selected.map((target) => [target.name, [] as Row[]]))
for (let round = 0; round < rounds; round++) {
  for (const row of await runRound(turnOrder(selected, round))) runs.get(row.target)?.push(row)
}

// Each target's median round (by cycles/s); the ratios compare the targets' medians.
const rows = [...runs.values()].map((targetRuns) => {
  const cycles = median(targetRuns.map((run) => run['cycles/s']))
  return targetRuns.find((run) => run['cycles/s'] === cycles) as Row
})
console.log(
  `\nsign-in cycle (send + verify), ${connections} connections, ${duration} s per target after ${warmup} s warm-up, median of ${rounds} rounds\n`,
)
console.table(rows)
const byRound = (targetRuns: Row[], key: string) => targetRuns.map((run) => run[key]).join(', ')
for (const [name, targetRuns] of runs) {
  console.log(
    `${name} by round: cycles/s ${byRound(targetRuns, 'cycles/s')}; p99 ms ${byRound(targetRuns, 'p99 ms')}; peak RSS MB ${byRound(targetRuns, 'peak RSS MB')}`,
  )
}
const ours = runs.get('otp-service')
const ratio = (a: Row[], b: Row[], key: 'cycles/s' | 'requests/s') =>
  `${(median(a.map((run) => run[key])) / median(b.map((run) => run[key]))).toFixed(2)}x`
// These pairs are printed round by round too; otp-service against the other targets, by their medians.
const roundByRound = [
  ['otp-service', 'baseline (seed 000)'],
  ['otp-service', 'otp-service, 5 million codes'],
  ['otp-service, 2 processes', 'baseline (seed 000)'],
  ['otp-service, 2 processes', 'otp-service'],
] as const
for (const [name, other] of runs) {
  const printed = roundByRound.some((pair: readonly string[]) => pair.includes('otp-service') && pair.includes(name))
  if (!ours || other === ours || printed) continue
  console.log(`otp-service / ${name}: ${ratio(ours, other, 'cycles/s')} cycles/s, ${ratio(ours, other, 'requests/s')} requests/s`)
}
for (const [name, other] of roundByRound) {
  const [mine, theirs] = [runs.get(name), runs.get(other)]
  if (!mine || !theirs) continue
  const perRound = theirs.map((run, round) => ((mine[round]?.['cycles/s'] ?? Number.NaN) / run['cycles/s']).toFixed(2))
  console.log(`${name} / ${other}: ${ratio(mine, theirs, 'cycles/s')} cycles/s, round by round: ${perRound.join(', ')}x`)
}

if (large && scaled) {
  await cleanupUnderLoad(scaled)
  await large.drop()
}
await database.drop()

/** 5 million codes, nine in ten past their expiry by days. */
async function seedLarge(databaseUrl: string) {
  const seconds = await seedRows(
    databaseUrl,
    'otp_codes',
    `INSERT INTO otp_codes (channel, destination, purpose, user_type, code_hash, attempts, max_attempts, expires_at, sent_at)
     SELECT 'sms', '+1998' || lpad(g::text, 7, '0'), 'login', 'live', sha256(int8send(g)), 0, 5, at + interval '10 minutes', ARRAY[at]
     FROM generate_series($1::int, $2::int) g, LATERAL (SELECT CASE WHEN g % 10 = 0 THEN now() ELSE now() - interval '3 days' END AS at) t`,
    5_000_000,
  )
  console.log(`seeded 5,000,000 codes (4,500,000 past their expiry by days) in ${seconds} s`)
}

/** `target`'s cycle while another instance on its database, with the cleanup every second, deletes the dead rows in batches. */
async function cleanupUnderLoad(target: Target) {
  const measured = await launch(target, port)
  const before = await rowCount(target.databaseUrl as string, 'otp_codes')
  const started = performance.now()
  const cleaner = await launch(target, port + 1, { OTP_CLEANUP_INTERVAL_SECONDS: '1' }).catch(async (error) => {
    await measured.stop()
    throw error
  })
  try {
    await measured.load(warmup)
    const during = summarize(measured, [await measureSlice(watchServer(measured.server.pid), duration, measured.load)])
    const after = await rowCount(target.databaseUrl as string, 'otp_codes')
    const seconds = (performance.now() - started) / 1000
    console.log(
      `cleanup under load: ${before.toLocaleString('en')} → ${after.toLocaleString('en')} codes in ${seconds.toFixed(1)} s ` +
        `(${Math.round((before - after) / seconds).toLocaleString('en')} rows/s); the cycle meanwhile ${during['cycles/s']} cycles/s, ` +
        `p50 ${during['p50 ms']} ms, p99 ${during['p99 ms']} ms`,
    )
  } finally {
    await Promise.allSettled([measured.stop(), cleaner.stop()])
  }
}

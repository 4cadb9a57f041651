// The sign-in as a client goes through it, on loopback against real PostgreSQL, every program
// compiled as production runs it: the suite's code cycle (send → verify) directly at otp-service
// and through the gateway (and nginx in its place, when installed); the suite's whole sign-in (send → verify → login) through the gateway;
// and Better Auth's (send → verify, which signs the user up and opens a session). Every cycle is
// a new phone number from a client address of its own. Targets take turns in slices over the rounds; prints
// each one's median round and the ratios, asserts nothing.
import { randomBytes } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  addUp,
  cpuSeconds,
  inTurns,
  measureSlice,
  median,
  otpServiceUnderLoad,
  peakRssMb,
  programStarter,
  type Slice,
  settleDatabase,
  sliceOptions,
  slicesPerRound,
  startNginx,
  turnOrder,
} from '@otp-suite/bench'
import { outboxReader, scratchDir } from '@otp-suite/testing'
import autocannon from 'autocannon'

const connections = Number(process.env.BENCH_CONNECTIONS ?? 50)
const duration = Number(process.env.BENCH_DURATION ?? 10)
const warmup = Number(process.env.BENCH_WARMUP ?? 3)
const rounds = Number(process.env.BENCH_ROUNDS ?? 3)
const repository = new URL('../../', import.meta.url).pathname
const json = { 'content-type': 'application/json' }

type Cycle = { to?: string; ip?: string; proof?: string }
type Step = { path: string; body: (cycle: Required<Pick<Cycle, 'to'>> & Cycle) => object; keep?: (body: string, cycle: Cycle) => void }
type Flow = { name: string; base: string; processes: Record<string, number>; steps: Step[] }
type Row = Record<string, string | number> & { target: string; 'sign-ins/s': number }

const outboxFile = () => {
  const file = join(scratchDir('suite-bench-'), 'outbox.jsonl')
  writeFileSync(file, '')
  return file
}
let cycles = 0
/** A valid US number and a client address of its own for every cycle. */
const nextCycle = (): Cycle => {
  const n = ++cycles
  return {
    to: `+1415${200 + (Math.floor(n / 10_000) % 800)}${String(n % 10_000).padStart(4, '0')}`,
    ip: `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`,
  }
}

/**
 * Loads a flow for `seconds`: each connection goes through its steps, a new number each time. Its
 * count of sign-ins is its steps answered 2xx over the flow's steps: a sign-in that the end of a
 * slice cuts short counts for the steps it made, so that slices of any length add up to the rate
 * of whole sign-ins.
 */
async function load(flow: Flow, seconds: number) {
  let steps = 0
  const result = await autocannon({
    url: flow.base,
    connections,
    duration: seconds,
    ...sliceOptions,
    requests: flow.steps.map((step, index) => ({
      method: 'POST',
      path: step.path,
      setupRequest: (request, context: Cycle) => {
        if (index === 0) Object.assign(context, nextCycle())
        return {
          ...request,
          headers: { ...json, 'x-forwarded-for': context.ip as string },
          body: JSON.stringify(step.body(context as Required<Pick<Cycle, 'to'>> & Cycle)),
        }
      },
      onResponse: (status, body, context: Cycle) => {
        if (status < 200 || status > 299) return
        step.keep?.(body, context)
        steps++
      },
    })),
  })
  return Object.assign(result, { signIns: steps / flow.steps.length })
}

/** The CPU share of each of `processes` from now on, in percent of a core. */
function processesWindow(processes: Record<string, number>) {
  const before = Object.fromEntries(Object.entries(processes).map(([name, pid]) => [name, cpuSeconds(pid)]))
  const startedAt = performance.now()
  return () => {
    const elapsed = (performance.now() - startedAt) / 1000
    return Object.fromEntries(
      Object.entries(processes).map(([name, pid]) => [name, ((cpuSeconds(pid) - (before[name] as number)) / elapsed) * 100]),
    )
  }
}

/** A flow's figures over its slices (`addUp`). */
function summarize(flow: Flow, slices: Slice<{ signIns: number }>[]): Row {
  const figures = addUp(slices, connections)
  const of = (figure: (name: string, pid: number) => number) =>
    Object.entries(flow.processes)
      .map(([name, pid]) => `${name} ${Math.round(figure(name, pid))}`)
      .join(', ')
  return {
    target: flow.name,
    'sign-ins/s': Math.round(slices.reduce((sum, slice) => sum + slice.result.signIns, 0) / figures.seconds),
    'requests/s': figures['requests/s'],
    'p50 ms': figures['p50 ms'],
    'p99 ms': figures['p99 ms'],
    'non-2xx': figures['non-2xx'],
    errors: figures.errors,
    'CPU %': of((name) => figures[name as keyof typeof figures] as number),
    'peak RSS MB': of((_, pid) => peakRssMb(pid)),
  }
}

const secret = randomBytes(32).toString('base64url')
const programs = programStarter({ NODE_ENV: 'production', LOG_LEVEL: 'warn', JWT_SECRET: secret, OTP_ALLOW_DEV_DELIVERY: 'true' })
const runs = new Map<string, Row[]>()
let nginx: Awaited<ReturnType<typeof startNginx>>
try {
  const otpOutboxFile = outboxFile()
  const otpOutbox = outboxReader(otpOutboxFile)
  const otp = await programs.start(`${repository}apps/otp-service/`, 'src/server.ts', 3931, {
    ...otpServiceUnderLoad,
    OTP_OUTBOX_FILE: otpOutboxFile,
  })
  const users = await programs.start(`${repository}apps/user-service/`, 'src/server.ts', 3932, {
    OTP_SERVICE_URL: otp.url,
    USER_CLEANUP_INTERVAL_SECONDS: '0',
  })
  // Behind a load balancer on this host, whose X-Forwarded-For it trusts; its own per-address ceiling off.
  const gateway = await programs.start(`${repository}apps/gateway/`, 'src/server.ts', 3933, {
    OTP_SERVICE_URLS: otp.url,
    USER_SERVICE_URLS: users.url,
    TRUSTED_PROXIES: '127.0.0.1',
    RATE_LIMIT_PER_MINUTE: '0',
  })
  // The floor of any proxy in the gateway's place: nginx, when installed, in front of otp-service.
  nginx = await startNginx(3935, otp.url)
  const betterAuthOutboxFile = outboxFile()
  const betterAuthOutbox = outboxReader(betterAuthOutboxFile)
  const betterAuth = await programs.start(
    `${repository}scripts/`,
    'bench/better-auth-server.ts',
    3934,
    { BETTER_AUTH_SECRET: secret, OTP_OUTBOX_FILE: betterAuthOutboxFile },
    { database: true },
  )

  const target = ({ to }: { to: string }) => ({ channel: 'sms', to, purpose: 'login' })
  const send: Step = { path: '/api/v1/otp/send', body: target }
  const verify: Step = {
    path: '/api/v1/otp/verify',
    body: (cycle) => ({ ...target(cycle), code: otpOutbox.codeFor(cycle.to) ?? '000000' }),
    keep: (body, cycle) => {
      cycle.proof = (JSON.parse(body) as { proof: string }).proof
    },
  }
  const login: Step = { path: '/api/v1/auth/otp/login', body: (cycle) => ({ proof: cycle.proof ?? '' }) }
  const suite = { 'otp-service': otp.pid, 'user-service': users.pid, gateway: gateway.pid }
  const flows: Flow[] = [
    { name: 'send → verify, otp-service directly', base: otp.url, processes: { 'otp-service': otp.pid }, steps: [send, verify] },
    { name: 'send → verify, through the gateway', base: gateway.url, processes: suite, steps: [send, verify] },
    ...(nginx
      ? [
          {
            name: 'send → verify, through nginx',
            base: nginx.url,
            processes: { 'otp-service': otp.pid, nginx: nginx.pid },
            steps: [send, verify],
          },
        ]
      : []),
    { name: 'send → verify → login, through the gateway', base: gateway.url, processes: suite, steps: [send, verify, login] },
    {
      name: 'Better Auth: send → verify (session)',
      base: betterAuth.url,
      processes: { 'Better Auth': betterAuth.pid },
      steps: [
        { path: '/api/auth/phone-number/send-otp', body: ({ to }) => ({ phoneNumber: to }) },
        { path: '/api/auth/phone-number/verify', body: ({ to }) => ({ phoneNumber: to, code: betterAuthOutbox.codeFor(to) ?? '000000' }) },
      ],
    },
  ]
  // BENCH_ONLY=Better runs the targets whose names start so.
  const selected = flows.filter((flow) => !process.env.BENCH_ONLY || flow.name.startsWith(process.env.BENCH_ONLY))
  const databases = [otp, users, betterAuth].map((program) => program.databaseUrl as string)
  // Each round warms every target up, then loads them in slices taken in turns (`inTurns`), each
  // slice waiting until every program has gone quiet; between rounds, the databases are vacuumed
  // and checkpointed (this server may run with autovacuum off), so no round pays for the one
  // before it. Before the first round every target is loaded once, uncounted: every round then
  // starts from processes warmed by an earlier turn and from tables analyzed with rows in them.
  const everyProgram = [otp.pid, users.pid, gateway.pid, betterAuth.pid, ...(nginx ? [nginx.pid] : [])]
  for (const flow of selected) await load(flow, warmup)
  for (const database of databases) await settleDatabase(database)
  for (let round = 0; round < rounds; round++) {
    const order = turnOrder(selected, round)
    for (const flow of order) await load(flow, warmup)
    const slices = await inTurns(order, slicesPerRound, (flow) =>
      measureSlice({ cpuWindow: () => processesWindow(flow.processes), quiet: everyProgram }, duration / slicesPerRound, (seconds) =>
        load(flow, seconds),
      ),
    )
    for (const flow of order) runs.set(flow.name, [...(runs.get(flow.name) ?? []), summarize(flow, slices.get(flow) ?? [])])
    for (const database of databases) await settleDatabase(database)
  }
  otpOutbox.close()
  betterAuthOutbox.close()
} finally {
  await nginx?.stop()
  await programs.stop()
}

const signIns = (rows: Row[]) => median(rows.map((row) => row['sign-ins/s']))
console.log(
  `\nsign-in, ${connections} connections, ${duration} s per target after ${warmup} s warm-up, median of ${rounds} rounds taken in turns\n`,
)
console.table([...runs.values()].map((rows) => rows.find((row) => row['sign-ins/s'] === signIns(rows)) as Row))
for (const [name, rows] of runs) {
  console.log(
    `${name} by round: sign-ins/s ${rows.map((row) => row['sign-ins/s']).join(', ')}; p99 ms ${rows.map((row) => row['p99 ms']).join(', ')}`,
  )
}
const ratio = (name: string, reference: string) => {
  const [a, b] = [runs.get(name), runs.get(reference)]
  if (a && b) console.log(`${name} / ${reference}: ${(signIns(a) / signIns(b)).toFixed(2)}x`)
}
ratio('send → verify, through the gateway', 'send → verify, otp-service directly')
ratio('send → verify, through nginx', 'send → verify, otp-service directly')
ratio('send → verify → login, through the gateway', 'Better Auth: send → verify (session)')

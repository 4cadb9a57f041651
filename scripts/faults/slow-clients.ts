// Slow clients and a flood of connections against otp-service and against the gateway in front of
// it, at once: on each, 200 slowloris connections sending their headers one byte a second, and
// 1000 connections opened and left idle. Meanwhile normal requests (readiness or liveness, and a
// send) must keep answering, the servers must close the slow and the idle connections themselves
// (service-kit's createServer: connectionTimeout 10 s of inactivity, requestTimeout 15 s for a whole
// request, enforced by Node's check of open connections every 30 s), and memory must stay bounded.
//
//   node --import tsx scripts/faults/slow-clients.ts
//
// Prints one line per check with its figures; exits 0 when every check holds, 1 otherwise.
import { randomBytes } from 'node:crypto'
import { readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import { dirname } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { freePort, otpServiceEnv, startService } from '@otp-suite/testing'

const SLOW_PER_TARGET = 200
const IDLE_PER_TARGET = 1000
const SLOW_BYTE_EVERY_MS = 1000
/** service-kit's createServer. */
const CONNECTION_TIMEOUT_MS = 10_000
const REQUEST_TIMEOUT_MS = 15_000
/** Node's http.Server checks request and header deadlines this often (connectionsCheckingInterval, not set by service-kit). */
const CHECKING_INTERVAL_MS = 30_000
const CLOSE_SLACK_MS = 2000
const BEFORE_MS = 3000
const AFTER_MS = 2000
const NORMAL_EVERY_MS = 100
const RSS_GROWTH_MAX_MB = 100
const DEADLINE_MS = 58_000

// ---------------------------------------------------------------------------------------------
// Bookkeeping: checks, and everything started, undone in reverse order.

const results: boolean[] = []
function check(ok: boolean, line: string) {
  results.push(ok)
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${line}`)
}

const cleanups: (() => unknown)[] = []
/** Stands in for a tap Test: startService hands it the teardown that stops the process and drops its database. */
const owner = { teardown: (fn: () => unknown) => void cleanups.push(fn) } as unknown as Parameters<typeof startService>[0]
async function cleanUp() {
  for (const fn of cleanups.splice(0).reverse()) {
    try {
      await fn()
    } catch (error) {
      console.error(`cleanup: ${(error as Error).message}`)
    }
  }
}

const percentile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN
}
const ms = (value: number) => (Number.isFinite(value) ? `${Math.round(value)} ms` : 'n/a')
const seconds = (value: number) => (Number.isFinite(value) ? `${(value / 1000).toFixed(1)} s` : 'n/a')
const tally = (values: (string | number)[]) => {
  const counts = new Map<string | number, number>()
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1)
  return [...counts].map(([value, n]) => `${value}×${n}`).join(' ')
}

// ---------------------------------------------------------------------------------------------
// The processes, from /proc: which child listens on a port, its memory and its sockets.

function socketInodes(pid: number) {
  const inodes = new Set<string>()
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1]
      if (inode) inodes.add(inode)
    } catch {}
  }
  return inodes
}

function pidListeningOn(port: number): number {
  let inode: string | undefined
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(file, 'utf8').trim().split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/)
      if (fields[3] === '0A' && Number.parseInt(fields[1]?.split(':').at(-1) ?? '', 16) === port) inode = fields[9]
    }
  }
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      if (parent === process.pid && inode && socketInodes(Number(entry)).has(inode)) return Number(entry)
    } catch {}
  }
  throw new Error(`no child process listens on port ${port}`)
}

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024

// ---------------------------------------------------------------------------------------------
// The clients.

type Phase = 'before' | 'flood' | 'after'
type Sample = { target: string; route: string; phase: Phase; ms: number; status: number }

/** One normal request on a connection of its own, as a client arriving during the flood makes it. */
function call(url: string, body?: object): Promise<{ status: number; ms: number }> {
  const started = performance.now()
  const payload = body === undefined ? undefined : JSON.stringify(body)
  return new Promise((resolve) => {
    const request = http.request(
      url,
      {
        method: payload === undefined ? 'GET' : 'POST',
        agent: false,
        headers: payload === undefined ? {} : { 'content-type': 'application/json' },
      },
      (response) => {
        response.resume()
        response.on('end', () => resolve({ status: response.statusCode ?? 0, ms: performance.now() - started }))
        response.on('error', () => resolve({ status: 0, ms: performance.now() - started }))
      },
    )
    request.on('error', () => resolve({ status: 0, ms: performance.now() - started }))
    request.setTimeout(10_000, () => request.destroy())
    request.end(payload)
  })
}

type Held = {
  target: string
  kind: 'slowloris' | 'idle'
  socket: net.Socket
  openedAt: number
  closedAt?: number
  /** What the server said before it closed, if anything (its first line). */
  answer: string
  bytesSent: number
}

/** Opens `count` connections to `port` in batches (the listen backlog is 511), each `kind`. */
async function hold(target: string, port: number, kind: Held['kind'], count: number, into: Held[]) {
  // The request line and headers of a send, never finished: one byte a second keeps the connection
  // active (below the 10 s inactivity timeout), so only a header or request deadline can end it.
  const request = `POST /api/v1/otp/send HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-Slow: ${'a'.repeat(4096)}`
  for (let opened = 0; opened < count; opened += 100) {
    await Promise.all(
      Array.from(
        { length: Math.min(100, count - opened) },
        () =>
          new Promise<void>((resolve) => {
            const socket = net.connect(port, '127.0.0.1')
            const entry: Held = { target, kind, socket, openedAt: performance.now(), answer: '', bytesSent: 0 }
            into.push(entry)
            let timer: NodeJS.Timeout | undefined
            socket.setNoDelay(true)
            socket.once('connect', () => {
              entry.openedAt = performance.now()
              if (kind === 'slowloris')
                timer = setInterval(() => {
                  if (socket.writable) socket.write(request[entry.bytesSent++ % request.length] as string)
                }, SLOW_BYTE_EVERY_MS)
              resolve()
            })
            socket.on('data', (chunk: Buffer) => {
              if (!entry.answer) entry.answer = chunk.toString().split('\r\n')[0] ?? ''
            })
            socket.on('error', () => resolve())
            socket.once('close', () => {
              clearInterval(timer)
              entry.closedAt ??= performance.now()
            })
          }),
      ),
    )
  }
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const { env, outbox } = await otpServiceEnv(randomBytes(32).toString('base64url'), {
    TRUSTED_PROXIES: '127.0.0.1',
    // Every normal send comes from this machine, each to a destination of its own.
    OTP_IP_MAX: '1000000',
    OTP_CLEANUP_INTERVAL_SECONDS: '0',
  })
  cleanups.push(() => rmSync(dirname(outbox), { recursive: true, force: true }))
  const started = performance.now()
  const otp = await startService(owner, 'otp-service', env)
  const nowhere = `http://127.0.0.1:${await freePort()}`
  const gateway = await startService(owner, 'gateway', {
    OTP_SERVICE_URLS: otp.url,
    USER_SERVICE_URLS: nowhere,
    ADMIN_SERVICE_URLS: nowhere,
    // The per-address ceiling is not under test: every normal request here comes from one address.
    RATE_LIMIT_PER_MINUTE: '1000000',
  })
  const targets = [
    { name: 'otp-service', url: otp.url, port: otp.port, pid: pidListeningOn(otp.port), health: '/health/ready' },
    { name: 'gateway', url: gateway.url, port: gateway.port, pid: pidListeningOn(gateway.port), health: '/health/live' },
  ]
  console.log(
    `otp-service pid ${targets[0]?.pid} at ${otp.url}, gateway pid ${targets[1]?.pid} at ${gateway.url} in front of it, started in ${ms(performance.now() - started)}`,
  )

  // Normal requests every 100 ms on each target, whatever the previous ones are doing.
  let phase: Phase = 'before'
  let serial = 0
  const samples: Sample[] = []
  const pending = new Set<Promise<void>>()
  const normal = setInterval(() => {
    for (const target of targets) {
      const requests: [string, Promise<{ status: number; ms: number }>][] = [
        [target.health, call(`${target.url}${target.health}`)],
        [
          'send',
          call(`${target.url}/api/v1/otp/send`, {
            channel: 'sms',
            to: `+1415${String(3_000_000 + ++serial).padStart(7, '0')}`,
            purpose: 'login',
          }),
        ],
      ]
      const at = phase
      for (const [route, reply] of requests) {
        const done = reply.then((result) => void samples.push({ target: target.name, route, phase: at, ...result }))
        pending.add(done)
        void done.finally(() => pending.delete(done))
      }
    }
  }, NORMAL_EVERY_MS)

  // Memory and sockets of both processes, four times a second.
  const memory: { target: string; phase: Phase; rss: number; sockets: number }[] = []
  const sampleMemory = () => {
    for (const target of targets)
      memory.push({ target: target.name, phase, rss: rssMb(target.pid), sockets: socketInodes(target.pid).size })
  }
  sampleMemory()
  const memoryTimer = setInterval(sampleMemory, 250)

  const held: Held[] = []
  cleanups.push(() => {
    clearInterval(normal)
    clearInterval(memoryTimer)
    for (const entry of held) entry.socket.destroy()
  })

  await sleep(BEFORE_MS)

  // The flood: on both targets at once, the slow connections first, then the idle ones.
  phase = 'flood'
  const floodStarted = performance.now()
  await Promise.all(targets.map((target) => hold(target.name, target.port, 'slowloris', SLOW_PER_TARGET, held)))
  await Promise.all(targets.map((target) => hold(target.name, target.port, 'idle', IDLE_PER_TARGET, held)))
  const opened = performance.now() - floodStarted
  console.log(
    `     flood: ${SLOW_PER_TARGET} slowloris + ${IDLE_PER_TARGET} idle connections on each target opened in ${ms(opened)}; refused or closed at once: ${held.filter((entry) => entry.closedAt !== undefined).length}`,
  )
  // Until every held connection is closed, or past the latest a server should take.
  const latest = REQUEST_TIMEOUT_MS + CHECKING_INTERVAL_MS + CLOSE_SLACK_MS
  while (held.some((entry) => entry.closedAt === undefined) && performance.now() - floodStarted < latest) await sleep(100)
  const floodMs = performance.now() - floodStarted
  phase = 'after'
  await sleep(AFTER_MS)
  clearInterval(normal)
  clearInterval(memoryTimer)
  sampleMemory()
  await Promise.all(pending)
  console.log(`     flood lasted ${seconds(floodMs)} (until the servers had closed every held connection, or at most ${seconds(latest)})`)

  // Normal requests: every one answered, and how fast, before, during and after the flood.
  for (const target of targets) {
    const of = (at: Phase) => samples.filter((sample) => sample.target === target.name && sample.phase === at)
    const figures = (list: Sample[]) => {
      const values = list.map((sample) => sample.ms)
      return `n=${values.length} p50 ${ms(percentile(values, 0.5))} p99 ${ms(percentile(values, 0.99))} max ${ms(Math.max(...values))}`
    }
    const all = [...of('before'), ...of('flood'), ...of('after')]
    const wrong = all.filter((sample) => sample.status !== (sample.route === 'send' ? 202 : 200))
    const before = of('before')
    const during = of('flood')
    const duringMs = during.map((sample) => sample.ms)
    const beforeMs = before.map((sample) => sample.ms)
    const p99Before = percentile(beforeMs, 0.99)
    const p99During = percentile(duringMs, 0.99)
    check(
      wrong.length === 0 && during.length > 0,
      `${target.name}: normal requests answered ${tally(all.map((sample) => `${sample.route}:${sample.status}`))}`,
    )
    check(
      p99During <= Math.max(500, 5 * p99Before) && Math.max(...duringMs) < 2000,
      `${target.name}: normal requests before ${figures(before)}; during the flood ${figures(during)}; after ${figures(of('after'))} (limits during: p99 ≤ max(500 ms, 5 × before), max < 2000 ms)`,
    )
    for (const route of [target.health, 'send'])
      console.log(
        `     ${target.name} ${route}: before ${figures(before.filter((s) => s.route === route))}; during ${figures(during.filter((s) => s.route === route))}`,
      )
  }

  // The held connections: closed by the server, and when.
  for (const target of targets) {
    for (const [kind, limit] of [
      ['slowloris', REQUEST_TIMEOUT_MS + CHECKING_INTERVAL_MS + CLOSE_SLACK_MS],
      ['idle', CONNECTION_TIMEOUT_MS + CLOSE_SLACK_MS],
    ] as const) {
      const entries = held.filter((entry) => entry.target === target.name && entry.kind === kind)
      const closed = entries.filter((entry) => entry.closedAt !== undefined)
      const after = closed.map((entry) => (entry.closedAt as number) - entry.openedAt)
      const bytes = entries.map((entry) => entry.bytesSent)
      check(
        closed.length === entries.length && Math.max(...after) <= limit,
        `${target.name}: ${closed.length}/${entries.length} ${kind} connections closed by the server, after min ${seconds(Math.min(...after))} / p50 ${seconds(percentile(after, 0.5))} / max ${seconds(Math.max(...after))} (limit ${seconds(limit)})${kind === 'slowloris' ? `, having sent ${Math.min(...bytes)}-${Math.max(...bytes)} bytes each` : ''}; the server's last words: ${tally(entries.map((entry) => entry.answer || '(none)'))}`,
      )
      if (kind === 'slowloris' && Math.max(...after) > REQUEST_TIMEOUT_MS + CLOSE_SLACK_MS)
        console.log(
          `     note: ${target.name} cut its slow requests ${seconds(Math.min(...after))} to ${seconds(Math.max(...after))} after they began, not at requestTimeout (${seconds(REQUEST_TIMEOUT_MS)}): Node checks that deadline only every connectionsCheckingInterval (${seconds(CHECKING_INTERVAL_MS)}, left at its default), so a slow client holds a connection for ${seconds(REQUEST_TIMEOUT_MS)} to ${seconds(REQUEST_TIMEOUT_MS + CHECKING_INTERVAL_MS)} (headersTimeout stays at Node's 60 s)`,
        )
    }
  }

  // Memory.
  for (const target of targets) {
    const of = (at: Phase) => memory.filter((sample) => sample.target === target.name && sample.phase === at)
    const before = Math.max(...of('before').map((sample) => sample.rss))
    const peak = Math.max(...memory.filter((sample) => sample.target === target.name).map((sample) => sample.rss))
    const after = of('after').at(-1)?.rss ?? Number.NaN
    const sockets = memory.filter((sample) => sample.target === target.name).map((sample) => sample.sockets)
    check(
      peak - before <= RSS_GROWTH_MAX_MB,
      `${target.name}: RSS before ${before.toFixed(1)} MB, peak ${peak.toFixed(1)} MB (+${(peak - before).toFixed(1)} MB, limit +${RSS_GROWTH_MAX_MB} MB), after ${after.toFixed(1)} MB; open sockets ${sockets[0]} → peak ${Math.max(...sockets)} → ${sockets.at(-1)}`,
    )
    if (Math.max(...sockets) >= SLOW_PER_TARGET + IDLE_PER_TARGET)
      console.log(
        `     note: ${target.name} took every connection offered (${Math.max(...sockets)} sockets at once): no cap on connections (server.maxConnections unset), only the timeouts above and the process's file limit bound them`,
      )
  }
}

const watchdog = setTimeout(() => {
  check(false, `did not finish within ${DEADLINE_MS / 1000} s`)
  void cleanUp().finally(() => process.exit(1))
}, DEADLINE_MS)
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void cleanUp().finally(() => process.exit(1)))

const began = performance.now()
try {
  await main()
} catch (error) {
  check(false, `stopped by an error: ${(error as Error).stack}`)
}
await cleanUp()
clearTimeout(watchdog)
const passed = results.length > 0 && results.every(Boolean)
console.log(
  `${passed ? 'PASS' : 'FAIL'}: ${results.filter(Boolean).length}/${results.length} checks in ${((performance.now() - began) / 1000).toFixed(1)} s`,
)
process.exit(passed ? 0 : 1)

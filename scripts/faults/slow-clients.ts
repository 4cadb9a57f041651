// Slow clients and a flood of connections against otp-service and against the gateway in front of
// it, at once: on each, 200 slowloris connections sending their headers one byte a second, and
// 1000 connections opened and left idle. Meanwhile normal requests (readiness or liveness, and a
// send) must keep answering, the servers must close the slow and the idle connections themselves
// (service-kit's createServer: connectionTimeout 10 s of inactivity, headersTimeout 10 s for the
// headers, requestTimeout 15 s for a whole request, enforced by Node's check of open connections
// every 2 s, its connectionsCheckingInterval), and memory must stay bounded.
//
//   node --import tsx scripts/faults/slow-clients.ts
//
// Prints one line per check with its figures; exits 0 when every check holds, 1 otherwise.
import net from 'node:net'
import { freePort, startService } from '@otp-suite/testing'
import { atCleanUp, check, cleanUp, ms, otpEnv, owner, percentile, request, seconds, sleep, tally, verdict } from './lib.ts'
import { pidListeningOn, rssMb, socketInodes } from './proc.ts'

const SLOW_PER_TARGET = 200
const IDLE_PER_TARGET = 1000
const SLOW_BYTE_EVERY_MS = 1000
/** service-kit's createServer. */
const CONNECTION_TIMEOUT_MS = 10_000
const HEADERS_TIMEOUT_MS = 10_000
const REQUEST_TIMEOUT_MS = 15_000
/** Node's http.Server checks request and header deadlines this often (connectionsCheckingInterval, set by service-kit). */
const CHECKING_INTERVAL_MS = 2_000
const CLOSE_SLACK_MS = 3000
/** The latest the servers should close each kind of held connection: a slow one never finishes its headers. */
const CLOSED_WITHIN_MS = {
  slowloris: Math.min(HEADERS_TIMEOUT_MS, REQUEST_TIMEOUT_MS) + CHECKING_INTERVAL_MS + CLOSE_SLACK_MS,
  idle: CONNECTION_TIMEOUT_MS + CLOSE_SLACK_MS,
}
const BEFORE_MS = 3000
const AFTER_MS = 2000
const NORMAL_EVERY_MS = 100
const RSS_GROWTH_MAX_MB = 100

// ---------------------------------------------------------------------------------------------
// The clients.

type Phase = 'before' | 'flood' | 'after'
type Sample = { target: string; route: string; phase: Phase; ms: number; status: number }

/** One normal request on a connection of its own, as a client arriving during the flood makes it. */
const call = (url: string, body?: object) => request(url, { body, timeoutMs: 10_000 })

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
  const { env } = await otpEnv({
    TRUSTED_PROXIES: '127.0.0.1',
    // Every normal send comes from this machine, each to a destination of its own.
    OTP_IP_MAX: '1000000',
    OTP_CLEANUP_INTERVAL_SECONDS: '0',
  })
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
      const requests: [string, ReturnType<typeof call>][] = [
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
        const done = reply.then(({ status, ms }) => void samples.push({ target: target.name, route, phase: at, status, ms }))
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
  atCleanUp(() => {
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
    `      flood: ${SLOW_PER_TARGET} slowloris + ${IDLE_PER_TARGET} idle connections on each target opened in ${ms(opened)}; refused or closed at once: ${held.filter((entry) => entry.closedAt !== undefined).length}`,
  )
  // Until every held connection is closed, or past the latest a server should take.
  const latest = Math.max(...Object.values(CLOSED_WITHIN_MS))
  while (held.some((entry) => entry.closedAt === undefined) && performance.now() - floodStarted < latest) await sleep(100)
  const floodMs = performance.now() - floodStarted
  phase = 'after'
  await sleep(AFTER_MS)
  clearInterval(normal)
  clearInterval(memoryTimer)
  sampleMemory()
  await Promise.all(pending)
  console.log(`      flood lasted ${seconds(floodMs)} (until the servers had closed every held connection, or at most ${seconds(latest)})`)

  // Normal requests: every one answered, and how fast, before, during and after the flood.
  for (const target of targets) {
    const of = (at: Phase) => samples.filter((sample) => sample.target === target.name && sample.phase === at)
    const figures = (list: Sample[]) => {
      const values = list.map((sample) => sample.ms)
      return `n=${values.length} p50 ${ms(percentile(values, 50))} p99 ${ms(percentile(values, 99))} max ${ms(Math.max(...values))}`
    }
    const all = [...of('before'), ...of('flood'), ...of('after')]
    const wrong = all.filter((sample) => sample.status !== (sample.route === 'send' ? 202 : 200))
    const before = of('before')
    const during = of('flood')
    const duringMs = during.map((sample) => sample.ms)
    const beforeMs = before.map((sample) => sample.ms)
    const p99Before = percentile(beforeMs, 99)
    const p99During = percentile(duringMs, 99)
    check(
      `${target.name}: normal requests answered ${tally(all.map((sample) => `${sample.route}:${sample.status}`))}`,
      wrong.length === 0 && during.length > 0,
    )
    check(
      `${target.name}: normal requests before ${figures(before)}; during the flood ${figures(during)}; after ${figures(of('after'))} (limits during: p99 ≤ max(500 ms, 5 × before), max < 2000 ms)`,
      p99During <= Math.max(500, 5 * p99Before) && Math.max(...duringMs) < 2000,
    )
    for (const route of [target.health, 'send'])
      console.log(
        `      ${target.name} ${route}: before ${figures(before.filter((s) => s.route === route))}; during ${figures(during.filter((s) => s.route === route))}`,
      )
  }

  // The held connections: closed by the server, and when.
  for (const target of targets) {
    for (const kind of ['slowloris', 'idle'] as const) {
      const limit = CLOSED_WITHIN_MS[kind]
      const entries = held.filter((entry) => entry.target === target.name && entry.kind === kind)
      const closed = entries.filter((entry) => entry.closedAt !== undefined)
      const after = closed.map((entry) => (entry.closedAt as number) - entry.openedAt)
      const bytes = entries.map((entry) => entry.bytesSent)
      check(
        `${target.name}: ${closed.length}/${entries.length} ${kind} connections closed by the server, after min ${seconds(Math.min(...after))} / p50 ${seconds(percentile(after, 50))} / max ${seconds(Math.max(...after))} (limit ${seconds(limit)}${kind === 'slowloris' ? `: headersTimeout ${seconds(HEADERS_TIMEOUT_MS)}, checked every ${seconds(CHECKING_INTERVAL_MS)}` : `: ${seconds(CONNECTION_TIMEOUT_MS)} without a byte`})${kind === 'slowloris' ? `, having sent ${Math.min(...bytes)}-${Math.max(...bytes)} bytes each` : ''}; the server's last words: ${tally(entries.map((entry) => entry.answer || '(none)'))}`,
        closed.length === entries.length && Math.max(...after) <= limit,
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
      `${target.name}: RSS before ${before.toFixed(1)} MB, peak ${peak.toFixed(1)} MB (+${(peak - before).toFixed(1)} MB, limit +${RSS_GROWTH_MAX_MB} MB), after ${after.toFixed(1)} MB; open sockets ${sockets[0]} → peak ${Math.max(...sockets)} → ${sockets.at(-1)}`,
      peak - before <= RSS_GROWTH_MAX_MB,
    )
    if (Math.max(...sockets) >= SLOW_PER_TARGET + IDLE_PER_TARGET)
      console.log(
        `      note: ${target.name} took every connection offered (${Math.max(...sockets)} sockets at once): no cap on connections (server.maxConnections unset), only the timeouts above and the process's file limit bound them`,
      )
  }
}

await verdict(main, cleanUp, { deadlineMs: 58_000 })

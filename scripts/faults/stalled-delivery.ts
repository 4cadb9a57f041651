import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import http from 'node:http'
import { createRequire } from 'node:module'
import type { AddressInfo, Server, Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createTokenService } from '@otp-suite/jwt'
import { startService } from '@otp-suite/testing'
import { atCleanUp, check, cleanUp, ms, otpEnv, owner, percentile, type Reply, request, sleep, tally, verdict } from './lib.ts'
import { pidListeningOn, rssMb, socketInodes, tcpSockets } from './proc.ts'

const DELIVERY_TIMEOUT_MS = 1500
const ROUND_SENDS = 50
const HEALTHY_CODES = 12
const SETTLE_MS = 1000
const RSS_SLACK_MB = 5

// ---------------------------------------------------------------------------------------------
// Measuring: lib.ts's requests go without keep-alive (so the service's inbound sockets close with
// each answer); the service process's sockets, by what they connect to.

type SocketCategory = 'listening' | 'clients' | 'postgres' | 'msg91' | 'smtp' | 'other'
type SocketCounts = { total: number; states: Record<SocketCategory, string[]> }

/** The service's sockets by what they connect to, each with its TCP state. */
function socketCounts(pid: number, ports: { service: number; msg91: number; smtp: number }): SocketCounts {
  const own = socketInodes(pid)
  const states: Record<SocketCategory, string[]> = { listening: [], clients: [], postgres: [], msg91: [], smtp: [], other: [] }
  const seen = new Set<string>()
  for (const socket of tcpSockets()) {
    if (!own.has(socket.inode) || seen.has(socket.inode)) continue
    seen.add(socket.inode)
    const category: SocketCategory =
      socket.state === 'LISTEN'
        ? 'listening'
        : socket.localPort === ports.service
          ? 'clients'
          : socket.remotePort === 5432
            ? 'postgres'
            : socket.remotePort === ports.msg91
              ? 'msg91'
              : socket.remotePort === ports.smtp
                ? 'smtp'
                : 'other'
    states[category].push(socket.state)
  }
  for (let i = seen.size; i < own.size; i++) states.other.push('not TCP')
  return { total: own.size, states }
}
const describeSockets = (counts: SocketCounts) =>
  `${counts.total} (${Object.entries(counts.states)
    .map(([category, states]) => `${category} ${states.length}${states.length ? ` [${tally(states)}]` : ''}`)
    .join(', ')})`

// ---------------------------------------------------------------------------------------------
// The providers: a stand-in for MSG91's API (MSG91_BASE_URL points otp-service at it) and a real
// SMTP server.

let stalled = false

async function startMsg91StandIn() {
  const codes = new Map<string, string>()
  const held: http.ServerResponse[] = []
  const sockets = new Set<Socket>()
  const server = http.createServer((request, response) => {
    const query = new URL(request.url ?? '/', 'http://msg91').searchParams
    if (stalled) return void held.push(response) // the connection stays open, no answer ever comes
    codes.set(`+${query.get('mobile')}`, query.get('otp') ?? '')
    response.setHeader('content-type', 'application/json')
    response.end(JSON.stringify({ type: 'success', request_id: randomBytes(8).toString('hex') }))
  })
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  atCleanUp(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  )
  return {
    port,
    env: { MSG91_BASE_URL: `http://127.0.0.1:${port}` },
    codes,
    held,
    openConnections: () => sockets.size,
    /** Drops every connection it holds, as a provider restarting would. */
    dropAll: () => {
      for (const socket of sockets) socket.destroy()
      held.length = 0
    },
  }
}

// smtp-server is a dependency of @otp-suite/delivery (its test server), so it is loaded from there.
type SmtpSession = { id: string; envelope: { rcptTo: { address: string }[] } }
type SmtpServer = { server: Server; listen(port: number, host: string, callback: () => void): void; close(callback: () => void): void }
type SmtpServerClass = new (options: Record<string, unknown>) => SmtpServer
const { SMTPServer } = createRequire(new URL('../../packages/delivery/package.json', import.meta.url))('smtp-server') as {
  SMTPServer: SmtpServerClass
}

/**
 * A real SMTP server. Stalled, it takes every connection and then never answers: every other
 * connection gets no greeting at all, the rest are greeted and take the message, whose end is never
 * acknowledged.
 */
async function startSmtpStandIn() {
  const codes = new Map<string, string>()
  const stalledSessions = new Map<string, 'greeting' | 'data'>()
  let connections = 0
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    closeTimeout: 100,
    onConnect(session: SmtpSession, callback: (error?: Error) => void) {
      if (!stalled) return callback()
      const mode = connections++ % 2 === 0 ? 'greeting' : 'data'
      stalledSessions.set(session.id, mode)
      if (mode === 'data') callback()
    },
    onData(stream: NodeJS.ReadableStream, session: SmtpSession, callback: (error?: Error) => void) {
      const chunks: Buffer[] = []
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      stream.on('end', () => {
        if (stalledSessions.has(session.id)) return
        const code = /code is (\d+)/.exec(Buffer.concat(chunks).toString())?.[1]
        for (const recipient of session.envelope.rcptTo) codes.set(recipient.address, code ?? '')
        callback()
      })
    },
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.server.address() as AddressInfo).port
  atCleanUp(() => new Promise<void>((resolve) => server.close(() => resolve())))
  const sockets = new Set<Socket>()
  server.server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    codes,
    openConnections: () => sockets.size,
    /** Drops every connection it holds, as a server restarting would. */
    dropAll: () => {
      for (const socket of sockets) socket.destroy()
    },
  }
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'stalled-delivery-'))
  atCleanUp(() => rmSync(dir, { recursive: true, force: true }))
  const msg91 = await startMsg91StandIn()
  const smtp = await startSmtpStandIn()

  const { env, jwtSecret } = await otpEnv({
    SMS_PROVIDER: 'msg91',
    MSG91_AUTH_KEY: 'stand-in-key',
    MSG91_TEMPLATE_ID: 'stand-in-template',
    EMAIL_PROVIDER: 'smtp',
    SMTP_URL: smtp.url,
    MAIL_FROM: 'codes@suite.test',
    OTP_DELIVERY_TIMEOUT_MS: String(DELIVERY_TIMEOUT_MS),
    // Every send comes from this one address, to a destination of its own.
    OTP_IP_MAX: '100000',
    OTP_CLEANUP_INTERVAL_SECONDS: '0',
    LOG_LEVEL: 'info',
    ...msg91.env,
    // The heap settings of the service's start script, so memory is measured as it runs in production.
    NODE_OPTIONS: '--max-semi-space-size=4 --max-old-space-size=128 --v8-pool-size=0',
  })
  const started = performance.now()
  const otp = await startService(owner, 'otp-service', env)
  const pid = pidListeningOn(otp.port)
  console.log(
    `otp-service pid ${pid} at ${otp.url}, started in ${ms(performance.now() - started)}; OTP_DELIVERY_TIMEOUT_MS=${DELIVERY_TIMEOUT_MS}`,
  )
  const ports = { service: otp.port, msg91: msg91.port, smtp: smtp.port }
  const serviceToken = createTokenService({ secret: jwtSecret }).sign('service', { sub: 'admin-service' }).token

  let serial = 0
  const nextTarget = (channel: 'sms' | 'email') => {
    serial++
    return channel === 'sms'
      ? { channel, to: `+1415555${String(1000 + serial).padStart(4, '0')}`, purpose: 'login' }
      : { channel, to: `stalled-${serial}@example.com`, purpose: 'login' }
  }
  const send = (target: object) => request(`${otp.url}/api/v1/otp/send`, { body: target })
  const codeOf = (target: { channel: string; to: string }) => (target.channel === 'sms' ? msg91.codes : smtp.codes).get(target.to)

  // 1. Healthy providers: codes go out (and warm the service up).
  const healthyTargets = Array.from({ length: HEALTHY_CODES }, (_, i) => nextTarget(i % 2 === 0 ? 'sms' : 'email'))
  const healthy = await Promise.all(healthyTargets.map(send))
  const healthyMs = healthy.map((reply) => reply.ms)
  check(
    `healthy providers: ${HEALTHY_CODES} sends (SMS and email) answered ${tally(healthy.map((reply) => reply.status))}, every code received by the provider; p50 ${ms(percentile(healthyMs, 50))}`,
    healthy.every((reply) => reply.status === 202) && healthyTargets.every((target) => codeOf(target)),
  )

  // 2. What the service's sockets and memory do over a round of healthy sends: the yardstick for
  // the stalled round below (a first round takes the one-time costs, the second is measured).
  const round = (count: number) => Promise.all(Array.from({ length: count }, (_, i) => send(nextTarget(i % 2 === 0 ? 'sms' : 'email'))))
  const snapshot = async () => {
    await sleep(SETTLE_MS)
    return { sockets: socketCounts(pid, ports), rss: rssMb(pid) }
  }
  await round(ROUND_SENDS)
  const controlBefore = await snapshot()
  const control = await round(ROUND_SENDS)
  const controlAfter = await snapshot()
  const controlGrowth = controlAfter.rss - controlBefore.rss
  console.log(
    `      yardstick, ${ROUND_SENDS} sends to healthy providers: ${tally(control.map((reply) => reply.status))}; RSS ${controlBefore.rss.toFixed(1)} → ${controlAfter.rss.toFixed(1)} MB (${controlGrowth.toFixed(1)} MB); sockets ${controlBefore.sockets.total} → ${controlAfter.sockets.total}`,
  )

  // 3. The providers stall: 50 concurrent sends; meanwhile other routes are probed one round after
  // another (each asked once before, so a first call's one-time costs are not counted as waiting).
  const statsRequest = () => request(`${otp.url}/internal/v1/stats`, { headers: { authorization: `Bearer ${serviceToken}` } })
  await statsRequest()
  stalled = true
  let sending = true
  const stalledSends = round(ROUND_SENDS).finally(() => {
    sending = false
  })
  const probes: Record<string, number[]> = { 'health/ready': [], 'health/live': [], 'internal/v1/stats': [], verify: [] }
  const probeStatuses: string[] = []
  const toVerify = [...healthyTargets]
  const stallStarted = performance.now()
  while (sending) {
    const probeRound: [string, Promise<Reply>][] = [
      ['health/ready', request(`${otp.url}/health/ready`)],
      ['health/live', request(`${otp.url}/health/live`)],
      ['internal/v1/stats', statsRequest()],
    ]
    const target = toVerify.shift()
    if (target) probeRound.push(['verify', request(`${otp.url}/api/v1/otp/verify`, { body: { ...target, code: codeOf(target) } })])
    for (const [name, pending] of probeRound) {
      const reply = await pending
      probes[name]?.push(reply.ms)
      probeStatuses.push(`${name}:${reply.status}`)
    }
    await sleep(25)
  }
  const stalledReplies = await stalledSends
  const stallMs = performance.now() - stallStarted

  const latencies = stalledReplies.map((reply) => reply.ms)
  const failed = stalledReplies.filter((reply) => reply.status === 502 && reply.body.code === 'DELIVERY_FAILED').length
  check(
    `stalled providers: ${ROUND_SENDS} concurrent sends (${ROUND_SENDS / 2} SMS, ${ROUND_SENDS / 2} email) answered ${tally(stalledReplies.map((reply) => `${reply.status} ${reply.body.code}`))}`,
    failed === ROUND_SENDS,
  )
  check(
    `stalled sends answered after min ${ms(Math.min(...latencies))} / p50 ${ms(percentile(latencies, 50))} / max ${ms(Math.max(...latencies))} (timeout ${DELIVERY_TIMEOUT_MS} ms, allowed up to +1000 ms)`,
    Math.min(...latencies) >= DELIVERY_TIMEOUT_MS - 50 && Math.max(...latencies) <= DELIVERY_TIMEOUT_MS + 1000,
  )
  const notOk = probeStatuses.filter((entry) => !entry.endsWith(':200'))
  check(
    `during the ${ms(stallMs)} stall: ${probeStatuses.length} probes answered ${tally(probeStatuses)}${toVerify.length ? `; ${toVerify.length} codes left unverified` : ''}`,
    notOk.length === 0 && toVerify.length === 0,
  )
  for (const [name, values] of Object.entries(probes)) {
    const max = Math.max(...values)
    check(
      `during the stall ${name}: n=${values.length} p50 ${ms(percentile(values, 50))} p90 ${ms(percentile(values, 90))} max ${ms(max)} (limits: p50 < 100 ms, max < ${ms(DELIVERY_TIMEOUT_MS)}: none waited for a stalled delivery)`,
      values.length > 0 && percentile(values, 50) < 100 && max < DELIVERY_TIMEOUT_MS,
    )
  }

  // 4. Nothing left behind: another 50 stalled sends, unprobed, with the service's sockets and memory
  // before and once every one has answered, while the providers still stall. The service gave up on
  // those deliveries, so it should hold nothing for them.
  const before = await snapshot()
  const measured = await round(ROUND_SENDS)
  const after = await snapshot()
  console.log(`      second stalled round: ${tally(measured.map((reply) => `${reply.status} ${reply.body.code}`))}`)
  console.log(`      service sockets before: ${describeSockets(before.sockets)}`)
  console.log(`      service sockets after:  ${describeSockets(after.sockets)}`)
  console.log(`      connections the stand-ins hold: msg91 ${msg91.openConnections()}, smtp ${smtp.openConnections()}`)
  for (const provider of ['msg91', 'smtp'] as const) {
    const [from, to] = [before.sockets.states[provider].length, after.sockets.states[provider].length]
    check(
      `sockets to ${provider} across ${ROUND_SENDS / 2} stalled sends it answered 502: ${from} → ${to} [${tally(after.sockets.states[provider])}] (allowed +2)`,
      to - from <= 2,
    )
  }
  const others = (counts: SocketCounts) =>
    counts.total - counts.states.msg91.length - counts.states.smtp.length - counts.states.postgres.length
  check(
    `other sockets: ${others(before.sockets)} → ${others(after.sockets)} (allowed +2); PostgreSQL ${before.sockets.states.postgres.length} → ${after.sockets.states.postgres.length} (pool max 10)`,
    others(after.sockets) - others(before.sockets) <= 2 && after.sockets.states.postgres.length <= 10,
  )
  const growth = after.rss - before.rss
  // A healthy round whose RSS fell (the collector gave memory back) allows no less than none.
  const allowed = Math.max(controlGrowth, 0) + RSS_SLACK_MB
  check(
    `RSS across ${ROUND_SENDS} stalled sends ${before.rss.toFixed(1)} → ${after.rss.toFixed(1)} MB (${growth.toFixed(1)} MB; ${((growth * 1024) / ROUND_SENDS).toFixed(0)} kB a send; allowed ${allowed.toFixed(1)} MB: the healthy round's growth, ${controlGrowth.toFixed(1)} MB, at least 0, + ${RSS_SLACK_MB} MB)`,
    growth <= allowed,
  )

  // 5. The providers recover: new sends go out and their codes verify; and once the providers let go
  // of the connections they held, the service holds none to them any more.
  stalled = false
  const recoveredTargets = [nextTarget('sms'), nextTarget('email'), nextTarget('sms'), nextTarget('email')]
  const recovered = await Promise.all(recoveredTargets.map(send))
  const verified = await Promise.all(
    recoveredTargets.map((target) => request(`${otp.url}/api/v1/otp/verify`, { body: { ...target, code: codeOf(target) ?? '000000' } })),
  )
  check(
    `providers recovered: ${recovered.length} sends answered ${tally(recovered.map((reply) => reply.status))} (max ${ms(Math.max(...recovered.map((reply) => reply.ms)))}), their codes verified ${tally(verified.map((reply) => reply.status))}`,
    recovered.every((reply) => reply.status === 202) && verified.every((reply) => reply.status === 200),
  )
  const held = { msg91: msg91.openConnections(), smtp: smtp.openConnections() }
  msg91.dropAll()
  smtp.dropAll()
  await sleep(500)
  const released = socketCounts(pid, ports)
  const providerSockets = (counts: SocketCounts) => counts.states.msg91.length + counts.states.smtp.length
  check(
    `once the stand-ins dropped the connections they held (msg91 ${held.msg91}, smtp ${held.smtp}): sockets to providers ${providerSockets(released)} (allowed 2); all sockets ${describeSockets(released)}`,
    providerSockets(released) <= 2,
  )
}

await verdict(main, cleanUp, { deadlineMs: 55_000 })

// What the fault scripts share: the suite started on a database server of the script's choosing,
// a load of whole sign-ins that keeps a ledger of what the suite said it did, the checks that
// what it said it did is still there, and a verdict as the exit code; for the scripts that start
// services one by one, a list of what to undo, HTTP requests timed one by one, and figures. What
// they read of the services' processes from /proc is in proc.ts.
import { randomBytes } from 'node:crypto'
import { rmSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import http from 'node:http'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { createSuiteClient } from '@otp-suite/client'
import { dropDatabase } from '@otp-suite/db/tooling'
import { lastCode, otpServiceEnv, outboxReader, signInByPhone, type startService } from '@otp-suite/testing'
import pg from 'pg'
import { startSuite } from '../lib/suite.mjs'

let checks = 0
let failures = 0

/** One line per check; the script fails if any check does. */
export function check(label: string, ok: boolean, detail = '') {
  checks += 1
  if (!ok) failures += 1
  console.log(`${ok ? 'ok  ' : 'FAIL'}  ${label}${detail ? `  (${detail})` : ''}`)
}

/**
 * Runs `body`, then `cleanUp` whatever happened, and exits 0 when there were checks and every one
 * held. With `deadlineMs`, a script still running by then fails and is cleaned up; so is one
 * interrupted (SIGINT, SIGTERM).
 */
export async function verdict(body: () => Promise<void>, cleanUp: () => Promise<void>, { deadlineMs }: { deadlineMs?: number } = {}) {
  const began = performance.now()
  const stop = () => void cleanUp().finally(() => process.exit(1))
  const watchdog =
    deadlineMs === undefined
      ? undefined
      : setTimeout(() => {
          check(`the script finished within ${seconds(deadlineMs)}`, false)
          stop()
        }, deadlineMs)
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, stop)
  try {
    await body()
  } catch (error) {
    check('the script ran to its end', false, String((error as Error).stack ?? error))
  } finally {
    await cleanUp().catch((error) => console.error('cleaning up:', error))
    clearTimeout(watchdog)
  }
  const passed = checks > 0 && failures === 0
  const took = seconds(performance.now() - began)
  console.log(passed ? `PASSED (${checks} checks in ${took})` : `FAILED (${failures} of ${checks} checks, in ${took})`)
  process.exit(passed ? 0 : 1)
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** The value at `p` percent (0–100) of `values`; NaN when there are none. */
export const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN
}

// ---------------------------------------------------------------------------------------------
// Figures.

export const ms = (value: number) => (Number.isFinite(value) ? `${Math.round(value)} ms` : 'n/a')
export const seconds = (value: number) => (Number.isFinite(value) ? `${(value / 1000).toFixed(1)} s` : 'n/a')
/** How often each value occurs, as `value×count`, by value. */
export const tally = (values: (string | number)[]) => {
  const counts = new Map<string | number, number>()
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1)
  return [...counts]
    .sort(([a], [b]) => String(a).localeCompare(String(b)))
    .map(([value, n]) => `${value}×${n}`)
    .join(' ')
}

// ---------------------------------------------------------------------------------------------
// Services started one by one, and everything else a script starts: undone in reverse order.

const cleanups: (() => unknown)[] = []
/** Something to undo when the script ends. */
export const atCleanUp = (fn: () => unknown) => void cleanups.push(fn)
/** Stands in for a tap Test: startService hands it the teardown that stops the process and drops its database. */
export const owner = { teardown: atCleanUp } as unknown as Parameters<typeof startService>[0]
/** Undoes everything registered so far, the last first; a failing step is reported and the rest still run. */
export async function cleanUp() {
  for (const fn of cleanups.splice(0).reverse()) {
    try {
      await fn()
    } catch (error) {
      console.error(`cleanup: ${(error as Error).message}`)
    }
  }
}

/** otp-service's environment for startService, with a secret of its own; its outbox folder goes at clean-up. */
export async function otpEnv(overrides: Record<string, string>) {
  const jwtSecret = randomBytes(32).toString('base64url')
  const { env, outbox } = otpServiceEnv(jwtSecret, overrides)
  atCleanUp(() => rmSync(dirname(outbox), { recursive: true, force: true }))
  return { env, outbox, jwtSecret }
}

// ---------------------------------------------------------------------------------------------
// HTTP, one request at a time and timed.

export type Reply = { status: number; headers: http.IncomingHttpHeaders; body: Record<string, unknown>; ms: number }

/**
 * One request: a POST of `body` as JSON when there is one, a GET otherwise; on a connection of its
 * own unless an `agent` is given. Never rejects: no answer (an error, or none within `timeoutMs`)
 * is status 0, with the error's message as `body.error`.
 */
export function request(
  url: string,
  options: { body?: unknown; headers?: Record<string, string>; agent?: http.Agent; timeoutMs?: number } = {},
): Promise<Reply> {
  const started = performance.now()
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body)
  return new Promise((resolve) => {
    const noAnswer = (error: Error) => resolve({ status: 0, headers: {}, body: { error: error.message }, ms: performance.now() - started })
    const sent = http.request(
      url,
      {
        method: payload === undefined ? 'GET' : 'POST',
        agent: options.agent ?? false,
        headers: { ...(payload !== undefined && { 'content-type': 'application/json' }), ...options.headers },
      },
      (response) => {
        const chunks: Buffer[] = []
        response.on('data', (chunk: Buffer) => chunks.push(chunk))
        response.on('error', noAnswer)
        response.on('end', () => {
          let body: Record<string, unknown> = {}
          try {
            body = JSON.parse(Buffer.concat(chunks).toString())
          } catch {}
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body, ms: performance.now() - started })
        })
      },
    )
    sent.on('error', noAnswer)
    const timeoutMs = options.timeoutMs ?? 20_000
    sent.setTimeout(timeoutMs, () => sent.destroy(new Error(`${url}: no answer within ${seconds(timeoutMs)}`)))
    sent.end(payload)
  })
}

// ---------------------------------------------------------------------------------------------
// The whole suite.

/** The suite from sources, with the limits that count one client out of the way (all load comes from one address). */
export async function startFaultSuite({
  name,
  instances,
  databaseServerUrl,
}: {
  name: string
  instances: number
  databaseServerUrl: string
}) {
  const dataDir = await mkdtemp(join(tmpdir(), `fault-${name}-`))
  const admin = '+14155559000'
  const suite = await startSuite({
    instances,
    fromSources: true,
    dataDir,
    databasePrefix: `fault_${name.replaceAll('-', '_')}_${process.pid}_`,
    portOffset: 13_000 + (process.pid % 100) * 100,
    env: {
      ...process.env,
      DATABASE_SERVER_URL: databaseServerUrl,
      ADMIN_BOOTSTRAP: admin,
      OTP_IP_MAX: '1000000',
      OTP_VERIFY_IP_MAX: '1000000',
      RATE_LIMIT_PER_MINUTE: '0',
      HEALTH_CHECK_INTERVAL_MS: '500',
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'fatal',
    },
    log: () => {},
  })
  const gateway = suite.gatewayUrl as string
  const outbox = join(dataDir, 'outbox.jsonl')
  const adminClient = createSuiteClient({ baseUrl: gateway })
  await signInByPhone(adminClient, outbox, admin)
  return {
    suite,
    gateway,
    outbox,
    adminClient,
    databaseUrls: suite.databaseUrls as Record<string, string>,
    async stop() {
      await suite.stop()
      await Promise.all(Object.values(suite.databaseUrls as Record<string, string>).map((url) => dropDatabase(url).catch(() => {})))
      await rm(dataDir, { recursive: true, force: true })
    },
  }
}

type Suite = Awaited<ReturnType<typeof startFaultSuite>>

/** Rows of the tables that hold what the suite promised, counted in each service's database. */
export async function countRows(databaseUrls: Record<string, string>) {
  const count = async (service: string, sql: string) => {
    const client = new pg.Client({ connectionString: databaseUrls[service] })
    await client.connect()
    try {
      return Number((await client.query(sql)).rows[0].count)
    } finally {
      await client.end()
    }
  }
  return {
    codes: await count('otp-service', 'SELECT count(*) FROM otp_codes WHERE code_hash IS NOT NULL'),
    sessions: await count('user-service', 'SELECT count(*) FROM sessions'),
    blacklist: await count('user-service', 'SELECT count(*) FROM blacklisted_tokens'),
    audit: await count('admin-service', 'SELECT count(*) FROM audit_log'),
  }
}

/**
 * Whole sign-ins through the gateway by `concurrency` workers, each a new phone: send, verify,
 * login; one in four keeps its code unverified, one in four logs out, one in ten is banned by the
 * admin. Every answer is counted; what the suite answered 2xx to goes in the ledger.
 */
// Every sign-in of the script's loads is a phone of its own.
let cycle = 0
const target = (to: string) => ({ channel: 'sms' as const, to, purpose: 'login' as const })

export function signInLoad({ gateway, outbox, adminClient }: Suite, concurrency: number) {
  const codes = outboxReader(outbox)
  const ledger = {
    pending: [] as string[],
    sessions: [] as string[],
    revoked: [] as string[],
    banned: [] as string[],
    statuses: new Map<string, number>(),
    /** The longest wait for an answer, and which step and answer it was. */
    slowest: { ms: 0, step: '' },
    requests: 0,
  }
  let running = true
  // A failure is counted with its error code: `logout 503 SERVICE_UNAVAILABLE`.
  const step = async <T extends { response: Response; error?: unknown }>(name: string, request: () => Promise<T>) => {
    const started = Date.now()
    let status = 'no answer'
    try {
      const result = await request()
      const code = (result.error as { code?: string } | undefined)?.code
      status = code ? `${result.response.status} ${code}` : String(result.response.status)
      return result
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause
      status = `no answer ${cause?.code ?? (error as Error).name}`
      return undefined
    } finally {
      ledger.requests += 1
      const key = `${name} ${status}`
      const took = Date.now() - started
      if (took > ledger.slowest.ms) ledger.slowest = { ms: took, step: key }
      ledger.statuses.set(key, (ledger.statuses.get(key) ?? 0) + 1)
    }
  }
  async function worker() {
    while (running) {
      const n = ++cycle
      const phone = `+1415${200 + (Math.floor(n / 10_000) % 800)}${String(n % 10_000).padStart(4, '0')}`
      const app = createSuiteClient({ baseUrl: gateway })
      const sent = await step('send', () => app.sendCode(target(phone)))
      if (sent?.response.status !== 202) continue
      if (n % 4 === 0) {
        ledger.pending.push(phone)
        continue
      }
      const verified = await step('verify', () => app.verifyCode({ ...target(phone), code: codes.codeFor(phone) ?? '' }))
      if (!verified?.data) continue
      const proof = verified.data.proof
      const login = await step('login', () => app.login(proof))
      if (!login?.data) continue
      const { accessToken, user } = login.data
      if (n % 4 === 1) {
        const out = await step('logout', () => app.logout())
        if (out?.response.status === 204) ledger.revoked.push(accessToken)
      } else if (n % 10 === 2) {
        const ban = await step('ban', () =>
          adminClient.api.POST('/api/v1/admin/users/{id}/ban', { params: { path: { id: user.id } }, body: { reason: 'load' } }),
        )
        if (ban?.response.status === 200) ledger.banned.push(user.id)
      } else ledger.sessions.push(accessToken)
    }
  }
  const workers = Array.from({ length: concurrency }, worker)
  return {
    ledger,
    /** Stops starting new sign-ins; resolves when the ones under way have ended. */
    async stop() {
      running = false
      await Promise.all(workers)
      codes.close()
    },
  }
}

type Ledger = Awaited<ReturnType<typeof signInLoad>>['ledger']

/** Everything the suite answered 2xx to is still so: codes verify, sessions work, logouts and bans hold, bans are audited. */
export async function checkLedger({ gateway, outbox, databaseUrls }: Suite, ledger: Ledger) {
  const client = createSuiteClient({ baseUrl: gateway })
  const me = async (token: string) =>
    (await client.api.GET('/api/v1/users/me', { headers: { authorization: `Bearer ${token}` } })).response.status
  let verified = 0
  for (const phone of ledger.pending) {
    const code = (await lastCode(outbox, phone)) as string
    const { response } = await client.verifyCode({ ...target(phone), code })
    if (response.status === 200) verified += 1
  }
  check('every code sent is still there and verifies', verified === ledger.pending.length, `${verified} of ${ledger.pending.length}`)
  const live = await Promise.all(ledger.sessions.map(me))
  check(
    'every session given out still works',
    live.every((status) => status === 200),
    `${live.filter((status) => status === 200).length} of ${live.length}; ${tally(live)}`,
  )
  const revoked = await Promise.all(ledger.revoked.map(me))
  check(
    'every token logged out is still refused',
    revoked.every((status) => status === 401),
    `${revoked.filter((status) => status === 401).length} of ${revoked.length}; ${tally(revoked)}`,
  )
  const audit = new pg.Client({ connectionString: databaseUrls['admin-service'] })
  await audit.connect()
  const { rows } = await audit.query(
    "SELECT count(DISTINCT target_id) AS count FROM audit_log WHERE action = 'user.ban' AND target_id = ANY($1)",
    [ledger.banned],
  )
  await audit.end()
  check('every ban has its audit row', Number(rows[0].count) === ledger.banned.length, `${rows[0].count} of ${ledger.banned.length}`)
}

export const statusLine = (statuses: Map<string, number>) =>
  [...statuses]
    .sort()
    .map(([key, count]) => `${key}: ${count}`)
    .join(', ')

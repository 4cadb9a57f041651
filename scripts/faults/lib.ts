// What the fault scripts share: the suite started on a database server of the script's choosing,
// a load of whole sign-ins that keeps a ledger of what the suite said it did, the checks that
// what it said it did is still there, and a verdict as the exit code.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createSuiteClient } from '@otp-suite/client'
import { dropDatabase } from '@otp-suite/db/tooling'
import { lastCode, outboxReader, signInByPhone } from '@otp-suite/testing'
import pg from 'pg'
import { startSuite } from '../lib/suite.mjs'

let failures = 0

/** One line per check; the script fails if any check does. */
export function check(label: string, ok: boolean, detail = '') {
  if (!ok) failures += 1
  console.log(`${ok ? 'ok  ' : 'FAIL'}  ${label}${detail ? `  (${detail})` : ''}`)
}

/** Runs `body`, then `cleanUp` whatever happened, and exits 0 when every check held. */
export async function verdict(body: () => Promise<void>, cleanUp: () => Promise<void>) {
  try {
    await body()
  } catch (error) {
    check('the script ran to its end', false, String((error as Error).stack ?? error))
  } finally {
    await cleanUp().catch((error) => console.error('cleaning up:', error))
  }
  console.log(failures === 0 ? 'PASSED' : `FAILED (${failures} checks)`)
  process.exit(failures === 0 ? 0 : 1)
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0
}

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
    slowest: 0,
    requests: 0,
  }
  let running = true
  const step = async <T extends { response: Response }>(name: string, request: () => Promise<T>) => {
    const started = Date.now()
    let status = 'no answer'
    try {
      const result = await request()
      status = String(result.response.status)
      return result
    } catch {
      return undefined
    } finally {
      ledger.requests += 1
      ledger.slowest = Math.max(ledger.slowest, Date.now() - started)
      const key = `${name} ${status}`
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
    `${live.filter((status) => status === 200).length} of ${live.length}`,
  )
  const revoked = await Promise.all(ledger.revoked.map(me))
  check(
    'every token logged out is still refused',
    revoked.every((status) => status === 401),
    `${revoked.filter((status) => status === 401).length} of ${revoked.length}`,
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

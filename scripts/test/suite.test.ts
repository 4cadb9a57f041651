import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { dropDatabase } from '@otp-suite/db/tooling'
import { lastCode } from '@otp-suite/testing'
import t from 'tap'
import { startSuite } from '../lib/suite.mjs'

// The whole suite as `pnpm start --instances 2` runs it (from sources), on real PostgreSQL, reached
// only through the gateway.
const dataDir = await mkdtemp(join(tmpdir(), 'suite-'))
const databasePrefix = `e2e_${process.pid}_`
const admin = '+14155550999'
const logs: string[] = []
const suite = await startSuite({
  instances: 2,
  fromSources: true,
  dataDir,
  databasePrefix,
  // Below the ephemeral ports (32768 and up), where the kernel picks clients' ports.
  portOffset: 10_000 + (process.pid % 100) * 100,
  env: {
    ...process.env,
    DATABASE_SERVER_URL: process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    ADMIN_BOOTSTRAP: admin,
    LOG_FORMAT: 'json',
    LOG_LEVEL: 'warn',
  },
  log: (line: string) => logs.push(line),
})
t.teardown(async () => {
  await suite.stop()
  await Promise.all(Object.values(suite.databaseUrls as Record<string, string>).map((url) => dropDatabase(url)))
  await rm(dataDir, { recursive: true, force: true })
})

const gateway = suite.gatewayUrl as string
type Reply = { status: number; body: Record<string, unknown> }
async function call(method: string, path: string, body?: unknown, token?: string): Promise<Reply> {
  const response = await fetch(`${gateway}${path}`, {
    method,
    headers: { ...(body !== undefined && { 'content-type': 'application/json' }), ...(token && { authorization: `Bearer ${token}` }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await response.text()
  return { status: response.status, body: text ? JSON.parse(text) : {} }
}

/** The whole sign-in of a phone, as an app does it, through the gateway. */
async function signIn(phone: string) {
  const sent = await call('POST', '/api/v1/otp/send', { channel: 'sms', to: phone, purpose: 'login' })
  if (sent.status !== 202) throw new Error(`send: ${sent.status} ${JSON.stringify(sent.body)}`)
  const verified = await call('POST', '/api/v1/otp/verify', {
    channel: 'sms',
    to: phone,
    purpose: 'login',
    code: await lastCode(join(dataDir, 'outbox.jsonl'), phone),
  })
  if (verified.status !== 200) throw new Error(`verify: ${verified.status} ${JSON.stringify(verified.body)}`)
  return call('POST', '/api/v1/auth/otp/login', { proof: verified.body.proof })
}

t.test('sign in, use the session, log out: all through the gateway', async (t) => {
  const login = await signIn('+14155550100')
  t.equal(login.status, 200)
  const token = login.body.accessToken as string
  t.match((await call('GET', '/api/v1/users/me', undefined, token)).body, { phone: '+14155550100', phoneVerified: true })
  t.equal((await call('POST', '/api/v1/auth/logout', {}, token)).status, 204)
  const after = await Promise.all([1, 2, 3, 4].map(() => call('GET', '/api/v1/users/me', undefined, token)))
  t.same(
    after.map((reply) => reply.status),
    [401, 401, 401, 401],
    'refused once logout answered, on whichever user-service instance the gateway picks',
  )
})

t.test('an admin reads the dashboard and bans a user, who is refused from then on', async (t) => {
  const adminLogin = await signIn(admin)
  t.equal(adminLogin.body.user && (adminLogin.body.user as { role: string }).role, 'admin')
  const adminToken = adminLogin.body.accessToken as string
  const metrics = await call('GET', '/api/v1/admin/dashboard/metrics', undefined, adminToken)
  t.equal(metrics.status, 200)
  t.match(metrics.body, { users: { total: Number }, otp: { sent: { total: Number } } })

  const user = await signIn('+14155550200')
  const userToken = user.body.accessToken as string
  const userId = (user.body.user as { id: string }).id
  const ban = await call('POST', `/api/v1/admin/users/${userId}/ban`, { reason: 'abuse' }, adminToken)
  t.equal(ban.status, 200)
  t.equal((await call('GET', '/api/v1/users/me', undefined, userToken)).status, 401, 'their session ended')
  t.equal((await call('POST', '/api/v1/otp/send', { channel: 'sms', to: '+14155550200', purpose: 'login' })).status, 403, 'no more codes')
  t.equal((await call('GET', '/internal/v1/stats')).status, 404, 'internal routes stay inside')
})

t.test('one otp-service instance dies: the next sends still succeed', async (t) => {
  const [first] = suite.processes.filter((entry: { name: string }) => entry.name === 'otp-service')
  first.child.kill('SIGKILL')
  await new Promise((resolve) => first.child.once('exit', resolve))
  const statuses = []
  for (let i = 0; i < 4; i++)
    statuses.push((await call('POST', '/api/v1/otp/send', { channel: 'sms', to: `+1415555030${i}`, purpose: 'login' })).status)
  t.same(statuses, [202, 202, 202, 202])
  t.ok((await signIn('+14155550310')).status === 200, 'and a whole sign-in works on what is left')
})

import { execFile } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { createSuiteClient, type Middleware } from '@otp-suite/client'
import { createTokenService } from '@otp-suite/jwt'
import { lastCode, signInByPhone, until } from '@otp-suite/testing'
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import t from 'tap'
import { clientTypes, DOCUMENT_SERVER } from '../lib/public-api.mjs'
import { devSecrets, root } from '../lib/suite.mjs'
import { startTestSuite } from './test-suite.ts'

// The public API as a client author meets it: the gateway's document, linted by a third-party
// tool, and every public operation driven through the generated client, every answer checked
// against the schema the document declares for its status.
const admin = '+14155551999'
const { suite, gateway, dataDir, outbox } = await startTestSuite(t, {
  name: 'contract',
  portBase: 12_000,
  env: {
    PUBLIC_URL: DOCUMENT_SERVER,
    ADMIN_BOOTSTRAP: admin,
    OTP_RESEND_COOLDOWN_SECONDS: '1',
    OTP_MAX_ATTEMPTS: '3',
  },
})
// Signs as the suite does, for what a test cannot get otherwise: a token that has expired, a proof made before a ban.
const suiteTokens = createTokenService({ secret: devSecrets(dataDir).JWT_SECRET as string, production: false })
// Signed now, so that it has expired (past the verifiers' 5 s of clock tolerance) when it is used.
const expiring = suiteTokens.sign(
  'access',
  { sub: crypto.randomUUID(), role: 'user', userType: 'live', sid: crypto.randomUUID() },
  { expiresIn: 1 },
)
const generated = join(root, 'packages/client/src/generated')

type Response = { $ref?: string; content?: { 'application/json'?: { schema: object } } }
type Operation = { operationId: string; responses: Record<string, Response> }
type Document = { paths: Record<string, Record<string, Operation>>; components: { responses?: Record<string, Response> } }
const document = (await (await fetch(`${gateway}/docs/json`)).json()) as Document

t.test('the served document is the one the client is generated from, and its types are up to date', async (t) => {
  const committed = JSON.parse(await readFile(join(generated, 'openapi.json'), 'utf8'))
  t.same(document, committed, 'packages/client/src/generated/openapi.json is current (`pnpm client:generate` makes it again)')
  t.equal(await clientTypes(committed), await readFile(join(generated, 'api.ts'), 'utf8'), 'api.ts is made from it')
  t.notOk(
    Object.keys(document.paths).some((path) => !path.startsWith('/api/v1/')),
    'only public routes',
  )
})

t.test('every document, the services’ and the gateway’s, lints clean with Redocly’s recommended rules', async (t) => {
  const sources = [{ name: 'gateway', url: gateway }, ...suite.processes.filter((entry: { name: string }) => entry.name !== 'gateway')] as {
    name: string
    url: string
  }[]
  const files = await Promise.all(
    sources.map(async ({ name, url }) => {
      const file = join(dataDir, `${name}.openapi.json`)
      await writeFile(file, await (await fetch(`${url}/docs/json`)).text())
      return file
    }),
  )
  const redocly = join(root, 'scripts/node_modules/.bin/redocly')
  for (const [index, file] of files.entries()) {
    const { stdout } = await promisify(execFile)(redocly, ['lint', '--format=json', file], { cwd: dataDir }).catch(
      (failed: { stdout: string }) => failed,
    )
    const { totals, problems } = JSON.parse(stdout) as {
      totals: Record<string, number>
      problems: { ruleId: string; message: string; location: { pointer: string }[] }[]
    }
    const name = sources[index]?.name as string
    t.same(
      problems.map((problem) => `${problem.ruleId}: ${problem.message} at ${problem.location[0]?.pointer}`),
      [],
      name,
    )
    t.match(totals, { errors: 0, warnings: 0 }, name)
  }
})

// Every answer the client gets is checked against its operation's declared status and schema.
const ajv = new Ajv2020({ strict: false, allErrors: true })
addFormats.default(ajv)
const validators = new Map<string, ValidateFunction>()
const problems: string[] = []
const answered = new Map<string, Set<number>>()
const contract: Middleware = {
  async onResponse({ request, response, schemaPath }) {
    const label = `${request.method} ${schemaPath} → ${response.status}`
    const operation = document.paths[schemaPath]?.[request.method.toLowerCase()]
    if (!operation) return void problems.push(`${label}: not in the document`)
    answered.set(operation.operationId, (answered.get(operation.operationId) ?? new Set()).add(response.status))
    const given = operation.responses[response.status]
    const declared = given?.$ref ? document.components.responses?.[given.$ref.replace('#/components/responses/', '')] : given
    if (!declared) return void problems.push(`${label}: status not documented`)
    if (!response.headers.get('x-request-id')) problems.push(`${label}: no x-request-id`)
    if (response.status === 429 && !/^\d+$/.test(response.headers.get('retry-after') ?? '')) problems.push(`${label}: no Retry-After`)
    const text = await response.clone().text()
    const schema = declared.content?.['application/json']?.schema
    if (!schema) return void (text && problems.push(`${label}: a body where the document declares none`))
    const key = `${operation.operationId} ${response.status}`
    if (!validators.has(key)) validators.set(key, ajv.compile(schema))
    const validate = validators.get(key) as ValidateFunction
    if (!validate(JSON.parse(text))) problems.push(`${label}: ${ajv.errorsText(validate.errors)} in ${text}`)
  },
}

function client() {
  const suiteClient = createSuiteClient({ baseUrl: gateway })
  suiteClient.use(contract)
  return suiteClient
}

const codeSentTo = async (to: string) => (await lastCode(outbox, to)) as string
const sms = (to: string, purpose: 'login' | 'verify_phone' = 'login') => ({ channel: 'sms' as const, to, purpose })

/** A signed-in client for `phone`, by the whole flow: send, the code from the outbox, verify, login. */
async function signedIn(phone: string) {
  const suiteClient = client()
  const { user } = await signInByPhone(suiteClient, outbox, phone)
  return { client: suiteClient, user }
}

/** The code of an error answer, for asserting which refusal it was. */
const codeOf = (result: { error?: unknown }) => (result.error as { code?: string } | undefined)?.code

t.test('codes: sent, refused, verified once', async (t) => {
  const api = client()
  t.equal(codeOf(await api.sendCode(sms('12'))), 'VALIDATION_ERROR')
  t.equal(codeOf(await api.sendCode(sms('+1 555 0100 0000 0000'))), 'INVALID_PHONE')
  t.equal((await api.sendCode(sms('+14155551001'))).response.status, 202)
  t.equal(codeOf(await api.sendCode(sms('+14155551001'))), 'OTP_SEND_COOLDOWN')
  t.equal(codeOf(await api.resendCode(sms('+14155551002'))), 'OTP_NOT_FOUND')
  await new Promise((resolve) => setTimeout(resolve, 1100))
  t.equal((await api.resendCode(sms('+14155551001'))).response.status, 202, 'a new code once the cooldown is over')

  const wrong = await api.verifyCode({ ...sms('+14155551001'), code: '000000' })
  t.match(wrong.error, { code: 'OTP_INVALID', attemptsLeft: 2 })
  t.equal(codeOf(await api.verifyCode({ ...sms('+14155551001'), code: '12345' })), 'VALIDATION_ERROR', 'the wrong number of digits')
  const right = await api.verifyCode({ ...sms('+14155551001'), code: await codeSentTo('+14155551001') })
  t.equal(right.data?.verified, true)
  t.equal(codeOf(await api.verifyCode({ ...sms('+14155551001'), code: await codeSentTo('+14155551001') })), 'OTP_EXPIRED')

  await api.sendCode(sms('+14155551003'))
  for (let i = 0; i < 3; i++) await api.verifyCode({ ...sms('+14155551003'), code: '000000' })
  t.equal(codeOf(await api.verifyCode({ ...sms('+14155551003'), code: '000000' })), 'OTP_TOO_MANY_ATTEMPTS')

  const raw = await api.api.POST('/api/v1/otp/send', {
    body: sms('+14155551004'),
    bodySerializer: () => 'channel=sms',
    headers: { 'content-type': 'text/plain' },
  })
  t.equal(codeOf(raw), 'UNSUPPORTED_MEDIA_TYPE')
})

t.test('sessions: login, refresh once when expired, profile, logout', async (t) => {
  const { client: api, user } = await signedIn('+14155551010')
  t.equal(user.phone, '+14155551010')
  t.equal(codeOf(await api.login('not-a-proof')), 'PROOF_INVALID')
  t.equal(codeOf(await client().api.POST('/api/v1/auth/refresh', { body: { refreshToken: 'spent.or.forged' } })), 'REFRESH_INVALID')

  // An access token of this suite that has expired: the client refreshes once and goes on.
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiring.expiresAt.getTime() + 5_500 - Date.now())))
  const refreshToken = api.session?.refreshToken as string
  api.setSession({ accessToken: expiring.token, refreshToken })
  const me = await api.api.GET('/api/v1/users/me')
  t.equal(me.data?.id, user.id, 'answered after one refresh')
  t.not(api.session?.refreshToken, refreshToken, 'with the new pair kept')

  t.equal((await api.api.PATCH('/api/v1/users/me', { body: { firstName: 'Ada' } })).data?.firstName, 'Ada')
  t.equal(codeOf(await api.api.PATCH('/api/v1/users/me', { body: { firstName: '' } })), 'VALIDATION_ERROR')
  t.equal(codeOf(await api.api.PATCH('/api/v1/users/me', { body: { firstName: 'x'.repeat(20_000) } })), 'PAYLOAD_TOO_LARGE')

  const token = api.session?.accessToken as string
  t.equal((await api.logout()).response.status, 204)
  const after = await client().api.GET('/api/v1/users/me', { headers: { authorization: `Bearer ${token}` } })
  t.equal(codeOf(after), 'TOKEN_REVOKED', 'refused once logout answered')
  t.equal(codeOf(await client().api.GET('/api/v1/users/me')), 'TOKEN_MISSING')
  t.equal(codeOf(await client().logout()), 'TOKEN_MISSING')
})

t.test('a phone and an email attached to an account', async (t) => {
  const { client: api } = await signedIn('+14155551020')
  const proofFor = async (phone: string) => {
    await api.sendCode(sms(phone, 'verify_phone'))
    return (await api.verifyCode({ ...sms(phone, 'verify_phone'), code: await codeSentTo(phone) })).data?.proof as string
  }
  t.equal((await api.api.POST('/api/v1/users/me/phone', { body: { proof: await proofFor('+14155551021') } })).data?.phone, '+14155551021')
  const other = await signedIn('+14155551022')
  await new Promise((resolve) => setTimeout(resolve, 1100))
  const taken = await other.client.api.POST('/api/v1/users/me/phone', { body: { proof: await proofFor('+14155551021') } })
  t.equal(codeOf(taken), 'PHONE_TAKEN')
  t.equal(codeOf(await api.api.POST('/api/v1/users/me/phone', { body: { proof: 'forged' } })), 'PROOF_INVALID')

  t.equal(codeOf(await api.api.POST('/api/v1/users/me/email/verification', { body: { email: 'a@b' } })), 'INVALID_EMAIL')
  t.equal((await api.api.POST('/api/v1/users/me/email/verification', { body: { email: 'ada@example.com' } })).response.status, 202)
  const lines = (await readFile(outbox, 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { to: string; link?: string })
  const link = lines.filter((line) => line.to === 'ada@example.com').at(-1)?.link as string
  const token = new URLSearchParams(new URL(link).hash.slice(1)).get('token') as string
  t.same((await client().api.POST('/api/v1/users/email/verify', { body: { token } })).data, { verified: true })
  t.equal(codeOf(await client().api.POST('/api/v1/users/email/verify', { body: { token } })), 'LINK_INVALID', 'once')
  const taken2 = await other.client.api.POST('/api/v1/users/me/email/verification', { body: { email: 'ada@example.com' } })
  t.equal(codeOf(taken2), 'EMAIL_TAKEN')
})

let signedInAdmin: ReturnType<typeof client> | undefined

t.test('the admin API: figures, users, bans, the audit log, the cache', async (t) => {
  const { client: adminClient, user: adminUser } = await signedIn(admin)
  signedInAdmin = adminClient
  const { client: userClient, user } = await signedIn('+14155551030')
  const api = adminClient.api
  const metrics = await api.GET('/api/v1/admin/dashboard/metrics')
  t.ok(metrics.data?.generatedAt)
  t.match(metrics.response.headers.get('x-cache'), /^(HIT|MISS)$/)
  const hours = await api.GET('/api/v1/admin/dashboard/series', { params: { query: {} } })
  t.match(hours.data, { range: '24h', interval: 'hour', generatedAt: String })
  t.equal(hours.data?.points.length, 24)
  t.ok((hours.data?.points.at(-1)?.sessions.signIns ?? 0) > 0, 'this hour’s sign-ins are in it')
  t.match(hours.response.headers.get('x-cache'), /^(HIT|MISS)$/)
  t.equal((await api.GET('/api/v1/admin/dashboard/series', { params: { query: { range: '30d' } } })).data?.points.length, 30)
  const unknownRange = { params: { query: { range: '7d' as '24h' } } }
  t.equal(codeOf(await api.GET('/api/v1/admin/dashboard/series', unknownRange)), 'VALIDATION_ERROR')
  t.ok((await api.GET('/api/v1/admin/users', { params: { query: { limit: 2, q: '4155551' } } })).data?.items.length)
  t.equal(codeOf(await api.GET('/api/v1/admin/users', { params: { query: { limit: 1000 } } })), 'VALIDATION_ERROR')
  const forged = await api.GET('/api/v1/admin/users', { params: { query: { cursor: 'bm90IGEgY3Vyc29y' } } })
  t.match(forged.error, { statusCode: 400, code: 'VALIDATION_ERROR', message: /cursor/ }, 'user-service’s refusal of a cursor, passed on')
  const path = { params: { path: { id: user.id } } }
  t.equal((await api.GET('/api/v1/admin/users/{id}', path)).data?.id, user.id)
  const nobody = { params: { path: { id: '00000000-0000-4000-8000-000000000000' } } }
  t.equal(codeOf(await api.GET('/api/v1/admin/users/{id}', nobody)), 'USER_NOT_FOUND')
  t.equal(codeOf(await api.POST('/api/v1/admin/users/{id}/ban', { ...nobody, body: { reason: 'x' } })), 'USER_NOT_FOUND')
  t.equal(codeOf(await api.POST('/api/v1/admin/users/{id}/unban', nobody)), 'USER_NOT_FOUND')
  const self = { params: { path: { id: adminUser.id } }, body: { reason: 'oops' } }
  t.equal(codeOf(await api.POST('/api/v1/admin/users/{id}/ban', self)), 'CANNOT_BAN_SELF')

  t.equal((await api.POST('/api/v1/admin/users/{id}/ban', { ...path, body: { reason: 'abuse' } })).data?.status, 'banned')
  t.equal(codeOf(await userClient.api.GET('/api/v1/users/me')), 'TOKEN_REVOKED', 'the banned user’s session ended')
  // The ban answers without waiting for otp-service to take the block (sent at once, retried while it cannot).
  const blocked = async () => codeOf(await client().sendCode(sms('+14155551030'))) === 'DESTINATION_BLOCKED'
  t.ok(await until(blocked, 5_000, 50), 'codes to the banned phone are refused')
  // A proof made before the ban does not sign them in again.
  const proof = suiteTokens.sign('otp_proof', { sub: '+14155551030', channel: 'sms', purpose: 'login', userType: 'live' })
  t.equal(codeOf(await client().login(proof.token)), 'USER_BANNED')
  t.equal((await api.POST('/api/v1/admin/users/{id}/unban', path)).data?.status, 'active', 'no body needed')
  const audit = await api.GET('/api/v1/admin/audit-log', { params: { query: { limit: 10 } } })
  t.match(
    audit.data?.items.map((entry) => entry.action),
    ['user.unban', 'user.ban'],
  )
  t.equal(codeOf(await api.GET('/api/v1/admin/audit-log', { params: { query: { limit: 10, cursor: 'x' } } })), 'VALIDATION_ERROR')
  t.equal((await api.POST('/api/v1/admin/cache/invalidate', { body: { prefix: 'users' } })).response.status, 204)
  t.equal(codeOf(await api.POST('/api/v1/admin/cache/invalidate', { body: { prefix: '\u0000' } })), 'VALIDATION_ERROR')

  // A signed-in user who is not an admin is refused by every admin operation.
  const plainUser = await signedIn('+14155551032')
  const refused = await Promise.all([
    plainUser.client.api.GET('/api/v1/admin/dashboard/metrics'),
    plainUser.client.api.GET('/api/v1/admin/dashboard/series', { params: { query: { range: '30d' } } }),
    plainUser.client.api.GET('/api/v1/admin/users', { params: { query: {} } }),
    plainUser.client.api.GET('/api/v1/admin/users/{id}', path),
    plainUser.client.api.POST('/api/v1/admin/users/{id}/ban', { ...path, body: { reason: 'x' } }),
    plainUser.client.api.POST('/api/v1/admin/users/{id}/unban', path),
    plainUser.client.api.GET('/api/v1/admin/audit-log', { params: { query: {} } }),
    plainUser.client.api.POST('/api/v1/admin/cache/invalidate', { body: {} }),
  ])
  t.same(refused.map(codeOf), Array(8).fill('FORBIDDEN'))
})

t.test('a service that is down: the gateway’s own answer, as documented', async (t) => {
  const adminClient = signedInAdmin ?? (await signedIn(admin)).client
  const [adminService] = suite.processes.filter((entry: { name: string }) => entry.name === 'admin-service')
  adminService.child.kill('SIGKILL')
  await new Promise((resolve) => adminService.child.once('exit', resolve))
  const down = await adminClient.api.GET('/api/v1/admin/dashboard/metrics')
  t.equal(codeOf(down), 'UPSTREAM_UNAVAILABLE')
  t.equal(down.response.status, 503)
})

t.test('every public operation was driven, answered as documented, success and refusal alike', async (t) => {
  t.same(problems, [], 'every answer matched its status’s schema and headers')
  const operations = Object.values(document.paths).flatMap((item) => Object.values(item).map((operation) => operation.operationId))
  for (const operationId of operations) {
    const statuses = [...(answered.get(operationId) ?? [])]
    t.ok(
      statuses.some((status) => status < 300) && statuses.some((status) => status >= 400 && status < 500),
      `${operationId}: answered ${statuses.sort().join(', ')}`,
    )
  }
})

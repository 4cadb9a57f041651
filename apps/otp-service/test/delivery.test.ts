import type { ParsedUrlQuery } from 'node:querystring'
import { startTestSmtpServer } from '@otp-suite/delivery/testing'
import nock from 'nock'
import t, { type Test } from 'tap'
import { buildOtpService, post, productionEnv, testDatabase, testEnv } from './helpers.ts'

const database = await testDatabase(t)
const msg91 = { MSG91_AUTH_KEY: 'test-auth-key', MSG91_TEMPLATE_ID: 'tmpl-42', SMS_PROVIDER: 'msg91' }

// Only MSG91 is faked, at its HTTP boundary; everything local (PostgreSQL, SMTP) is real.
nock.disableNetConnect()
t.teardown(() => {
  nock.cleanAll()
  nock.enableNetConnect()
})

type Query = ParsedUrlQuery

/** Intercepts the next MSG91 send; the returned getter gives the query it carried. */
function msg91Answers(status: number, body: object) {
  let seen: Query = {}
  const scope = nock('https://api.msg91.com')
    .get('/api/v5/otp')
    .query((query: Query) => {
      seen = query
      return true
    })
    .reply(status, body)
  return { scope, query: () => seen }
}

t.test('MSG91 gets our own code, the template and the number without its plus', async (t) => {
  const msg91Call = msg91Answers(200, { type: 'success', request_id: 'r-1' })
  const app = await buildOtpService(t, testEnv(database.url, msg91))
  const target = { channel: 'sms', to: '+91 98765 43210', purpose: 'login' }
  const sent = await post(app, 'send', target)
  t.equal(sent.statusCode, 202)
  t.ok(msg91Call.scope.isDone())
  t.match(msg91Call.query(), { template_id: 'tmpl-42', mobile: '919876543210', authkey: 'test-auth-key', otp: /^\d{6}$/, otp_expiry: '10' })
  const verified = await post(app, 'verify', { ...target, code: String(msg91Call.query().otp) })
  t.equal(verified.statusCode, 200, 'the code MSG91 was given is the one that verifies')
})

t.test('MSG91 refusing the message: 502 and no usable code left behind', async (t) => {
  const msg91Call = msg91Answers(200, { type: 'error', message: 'Invalid template' })
  const app = await buildOtpService(t, testEnv(database.url, msg91))
  const target = { channel: 'sms', to: '+14155556001', purpose: 'login' }
  const sent = await post(app, 'send', target)
  t.equal(sent.statusCode, 502)
  t.equal(sent.json().code, 'DELIVERY_FAILED')
  const verify = await post(app, 'verify', { ...target, code: String(msg91Call.query().otp) })
  t.equal(verify.statusCode, 410, 'the undelivered code does not verify')

  nock('https://api.msg91.com').get('/api/v5/otp').query(true).reply(200, { type: 'success' })
  const retry = await post(app, 'send', target)
  t.equal(retry.statusCode, 202, 'a failed delivery does not start the cooldown')
})

t.test('MSG91 stalling: the request fails fast instead of hanging, and the send still counts', async (t) => {
  nock('https://api.msg91.com').get('/api/v5/otp').query(true).delay(3000).reply(200, { type: 'success' })
  const app = await buildOtpService(t, testEnv(database.url, { ...msg91, OTP_DELIVERY_TIMEOUT_MS: '200' }))
  const started = Date.now()
  const sent = await post(app, 'send', { channel: 'sms', to: '+14155556002', purpose: 'login' })
  t.equal(sent.statusCode, 502)
  t.equal(sent.json().code, 'DELIVERY_FAILED')
  t.ok(Date.now() - started < 2500, 'answered before MSG91 would have')
  const [row] = await database.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM otp_codes WHERE destination = '+14155556002' AND code_hash IS NOT NULL",
  )
  t.equal(row?.n, 1, 'the code may still arrive, so it stays usable')
  const again = await post(app, 'send', { channel: 'sms', to: '+14155556002', purpose: 'login' })
  t.equal(again.json().code, 'OTP_SEND_COOLDOWN', 'a message that may have gone out is not refunded')
})

t.test('MSG91 giving no clear answer (an error page from its edge, a broken body): 502, and the send still counts', async (t) => {
  const app = await buildOtpService(t, testEnv(database.url, msg91))
  const unclear: [string, () => void][] = [
    ['+14155556005', () => nock('https://api.msg91.com').get('/api/v5/otp').query(true).reply(502, '<html>Bad Gateway</html>')],
    ['+14155556006', () => nock('https://api.msg91.com').get('/api/v5/otp').query(true).reply(200, '{"type":"succ')],
    ['+14155556007', () => nock('https://api.msg91.com').get('/api/v5/otp').query(true).replyWithError({ code: 'ECONNRESET' })],
    ['+14155556008', () => nock('https://api.msg91.com').get('/api/v5/otp').query(true).reply(200, 'null')],
  ]
  for (const [to, answer] of unclear) {
    answer()
    const target = { channel: 'sms', to, purpose: 'login' }
    t.equal((await post(app, 'send', target)).json().code, 'DELIVERY_FAILED')
    t.equal((await post(app, 'send', target)).json().code, 'OTP_SEND_COOLDOWN', `${to}: a message that may have gone out is not refunded`)
  }
})

t.test('a provider that refuses every message: its sends are refunded to the destination, not to the address asking', async (t) => {
  // Behind a trusted proxy, as a client address of its own (the others here share 127.0.0.1).
  const app = await buildOtpService(t, testEnv(database.url, { ...msg91, OTP_IP_MAX: '3', TRUSTED_PROXIES: '127.0.0.1' }))
  const client = { 'x-forwarded-for': '203.0.113.61' }
  nock('https://api.msg91.com').get('/api/v5/otp').query(true).times(3).reply(400, { type: 'error', message: 'Invalid number' })
  const codes = []
  for (let i = 0; i < 4; i++)
    codes.push((await post(app, 'send', { channel: 'sms', to: `+1415555601${i}`, purpose: 'login' }, client)).json().code)
  t.same(
    codes,
    ['DELIVERY_FAILED', 'DELIVERY_FAILED', 'DELIVERY_FAILED', 'OTP_SEND_LIMIT'],
    'one address cannot call the provider without end',
  )
})

t.test('MSG91 unreachable: 502', async (t) => {
  nock('https://api.msg91.com').get('/api/v5/otp').query(true).replyWithError({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' })
  const app = await buildOtpService(t, testEnv(database.url, msg91))
  const sent = await post(app, 'send', { channel: 'sms', to: '+14155556003', purpose: 'login' })
  t.equal(sent.json().code, 'DELIVERY_FAILED')
})

async function smtpServer(t: Test, options: { refuse?: boolean } = {}) {
  const server = await startTestSmtpServer(options)
  t.teardown(server.close)
  return server
}

t.test('email through a real SMTP server', async (t) => {
  const smtp = await smtpServer(t)
  const app = await buildOtpService(t, testEnv(database.url, { EMAIL_PROVIDER: 'smtp', SMTP_URL: smtp.url, MAIL_FROM: 'codes@suite.test' }))
  const target = { channel: 'email', to: 'Grace@Example.com', purpose: 'verify_email' }
  const sent = await post(app, 'send', target)
  t.equal(sent.statusCode, 202)
  t.equal(smtp.messages.length, 1)
  const [message] = smtp.messages
  t.same(message?.to, ['grace@example.com'])
  t.equal(message?.from, 'codes@suite.test')
  const code = message?.body.match(/code is (\d{6})/)?.[1]
  t.ok(code, 'the message carries the code')
  const verified = await post(app, 'verify', { ...target, code })
  t.equal(verified.statusCode, 200)
})

t.test('SMTP refusing or down: 502', async (t) => {
  const refusing = await smtpServer(t, { refuse: true })
  const app = await buildOtpService(t, testEnv(database.url, { EMAIL_PROVIDER: 'smtp', SMTP_URL: refusing.url }))
  const refused = await post(app, 'send', { channel: 'email', to: 'x@example.com', purpose: 'login' })
  t.equal(refused.json().code, 'DELIVERY_FAILED')

  const down = await buildOtpService(t, testEnv(database.url, { EMAIL_PROVIDER: 'smtp', SMTP_URL: 'smtp://127.0.0.1:1' }))
  const failed = await post(down, 'send', { channel: 'email', to: 'y@example.com', purpose: 'login' })
  t.equal(failed.statusCode, 502)
})

t.test('development delivery is refused in production unless allowed', async (t) => {
  const { OTP_ALLOW_DEV_DELIVERY: _, ...production } = productionEnv
  await t.rejects(buildOtpService(t, testEnv(database.url, production)), /OTP_ALLOW_DEV_DELIVERY/)
  await t.resolves(buildOtpService(t, testEnv(database.url, { ...production, OTP_ALLOW_DEV_DELIVERY: 'true' })))
  await t.rejects(buildOtpService(t, testEnv(database.url, { SMS_PROVIDER: 'msg91' })), /MSG91_AUTH_KEY/)
  await t.rejects(
    buildOtpService(t, testEnv(database.url, { ...production, OTP_PEPPER: 'short-pepper-1234', OTP_ALLOW_DEV_DELIVERY: 'true' })),
    /OTP_PEPPER/,
  )
})

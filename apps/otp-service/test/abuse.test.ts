import t from 'tap'
import { buildOtpService, lastCode, post, productionEnv, testDatabase, testEnv, twoInstances } from './helpers.ts'

const database = await testDatabase(t)
let phoneCounter = 7000
const nextPhone = () => `+1415555${phoneCounter++}`
const count = (statuses: number[], status: number) => statuses.filter((value) => value === status).length
const wrongFor = (code: string) => (code === '999999' ? '888888' : '999999')

t.test('a hostile request sent together with four good ones: 400 for it, 202 for each of them', async (t) => {
  // Refused by validation before it reaches a batch; store-batches.test.ts sends such a value to
  // the database itself, to check that the batch isolates it.
  const app = await buildOtpService(t, testEnv(database.url))
  const good = [1, 2, 3, 4].map((i) => ({ channel: 'email', to: `batch-${i}@example.com`, purpose: 'login' }))
  const hostile = { channel: 'email', to: 'a\u0000b@example.com', purpose: 'login' }
  const replies = await Promise.all([hostile, ...good].map((body) => post(app, 'send', body)))
  t.match(replies[0]?.json(), { statusCode: 400, code: 'VALIDATION_ERROR', message: /to/ })
  t.same(
    replies.slice(1).map((reply) => reply.statusCode),
    [202, 202, 202, 202],
  )
})

t.test('one mailbox is one destination: display names, comments, groups and lists are refused', async (t) => {
  const env = testEnv(database.url)
  const app = await buildOtpService(t, env)
  for (const to of [
    'x<victim@example.com>',
    'victim@example.com(1)',
    'g:victim@example.com;',
    '"victim"@example.com',
    'victim@example.com,x@example.com',
  ]) {
    const reply = await post(app, 'send', { channel: 'email', to, purpose: 'login' })
    t.equal(reply.statusCode, 400, to)
    t.equal(reply.json().code, 'INVALID_EMAIL')
  }
  t.equal((await post(app, 'send', { channel: 'email', to: 'Victim@Exämple.com', purpose: 'login' })).statusCode, 202)
  const code = await lastCode(env, 'victim@xn--exmple-cua.com')
  const verified = await post(app, 'verify', { channel: 'email', to: 'victim@xn--exmple-cua.com', purpose: 'login', code })
  t.equal(verified.statusCode, 200, 'the international domain in either spelling is the same destination')
})

t.test('numbers that cost money to reach are refused before anything is sent', async (t) => {
  const env = testEnv(database.url)
  const app = await buildOtpService(t, env)
  for (const to of ['+1 900 555 0199', '+44 909 876 5432', '+881 6 3123 4567']) {
    const reply = await post(app, 'send', { channel: 'sms', to, purpose: 'login' })
    t.equal(reply.statusCode, 400, to)
    t.equal(reply.json().code, 'PHONE_TYPE_NOT_ALLOWED')
  }
  const [row] = await database.query<{ n: number }>("SELECT count(*)::int AS n FROM otp_codes WHERE destination ~ '^\\+(1900|44909|881)'")
  t.equal(row?.n, 0)
})

t.test('a per-country hourly SMS budget holds across two instances', async (t) => {
  const { post } = await twoInstances(t, database.url, { OTP_SMS_COUNTRY_HOURLY_BUDGETS: '44:3' })
  const uk = Array.from({ length: 6 }, (_, i) => `+4479111234${String(10 + i)}`)
  const replies = await Promise.all(
    uk.map((to, i) => post(i % 2, 'send', { channel: 'sms', to, purpose: 'login' }, { 'x-forwarded-for': `198.51.100.${i + 1}` })),
  )
  const statuses = replies.map((reply) => reply.status)
  t.equal(count(statuses, 202), 3, 'exactly the budget went out')
  t.equal(count(statuses, 429), 3)
  const refused = replies.find((reply) => reply.status === 429)
  t.match(refused?.body, { code: 'OTP_SEND_LIMIT', message: /country/ })
  t.ok(Number(refused?.body.retryAfter) <= 3600, 'it frees up at the next hour')
  t.equal((await post(0, 'send', { channel: 'sms', to: nextPhone(), purpose: 'login' })).status, 202, 'other countries are not affected')
})

t.test('"*" is one budget shared by every country not listed; a budget of 0 sends nothing', async (t) => {
  const app = await buildOtpService(t, testEnv(database.url, { OTP_SMS_COUNTRY_HOURLY_BUDGETS: '44:0,*:2' }))
  const send = (to: string) => post(app, 'send', { channel: 'sms', to, purpose: 'login' })
  t.equal((await send('+447911123499')).statusCode, 429, 'no SMS at all to a country with 0')
  t.equal((await send('+4915112345678')).statusCode, 202)
  t.equal((await send('+33612345678')).statusCode, 202)
  t.equal((await send('+34612345678')).statusCode, 429, 'the third country shares the budget the first two used up')
})

t.test("a stranger's wrong guesses do not lock the owner out", async (t) => {
  const { env, post } = await twoInstances(t, database.url, { OTP_RESEND_COOLDOWN_SECONDS: '0' })
  const target = { channel: 'sms', to: nextPhone(), purpose: 'login' }
  const stranger = { 'x-forwarded-for': '203.0.113.66' }
  for (let code = 0; code < 2; code++) {
    await post(0, 'send', target, stranger)
    const wrong = wrongFor(await lastCode(env, target.to))
    for (let guess = 0; guess < 5; guess++) await post(guess % 2, 'verify', { ...target, code: wrong }, stranger)
  }
  const owner = { 'x-forwarded-for': '198.51.100.66' }
  t.equal((await post(1, 'send', target, owner)).status, 202)
  const verified = await post(0, 'verify', { ...target, code: await lastCode(env, target.to) }, owner)
  t.equal(verified.status, 200, "the owner's next code verifies after ten wrong guesses by someone else")
})

t.test('wrong codes per client address are capped across instances and destinations', async (t) => {
  const { env, post } = await twoInstances(t, database.url, { OTP_VERIFY_IP_MAX: '4' })
  const targets = Array.from({ length: 10 }, () => ({ channel: 'sms', to: nextPhone(), purpose: 'login' }))
  for (const target of targets) await post(0, 'send', target, { 'x-forwarded-for': '198.51.100.200' })
  const guesser = { 'x-forwarded-for': '203.0.113.77' }
  const replies = await Promise.all(
    targets.map(async (target, i) => post(i % 2, 'verify', { ...target, code: wrongFor(await lastCode(env, target.to)) }, guesser)),
  )
  const statuses = replies.map((reply) => reply.status)
  t.equal(count(statuses, 400), 4, 'exactly the allowed number of guesses were judged')
  t.equal(count(statuses, 429), 6)
  const right = await post(1, 'verify', { ...targets[0], code: await lastCode(env, targets[0]?.to as string) }, guesser)
  t.equal(right.status, 429, 'once capped, even a right code is not judged for that address')
  t.ok(Number(right.body.retryAfter) > 3500)
  const owner = await post(
    0,
    'verify',
    { ...targets[0], code: await lastCode(env, targets[0]?.to as string) },
    { 'x-forwarded-for': '198.51.100.9' },
  )
  t.equal(owner.status, 200, 'another address is not affected')
})

t.test('the client address comes only from a trusted proxy, and an IPv6 host counts by its /64', async (t) => {
  const send = (app: Awaited<ReturnType<typeof buildOtpService>>, forwarded: string) =>
    post(app, 'send', { channel: 'sms', to: nextPhone(), purpose: 'login' }, { 'x-forwarded-for': forwarded })

  const direct = await buildOtpService(t, testEnv((await testDatabase(t)).url, { OTP_IP_MAX: '1' }))
  t.equal((await send(direct, '203.0.113.50')).statusCode, 202)
  t.equal((await send(direct, '203.0.113.51')).statusCode, 429, 'no proxy is trusted by default: a forged address changes nothing')

  const proxied = await buildOtpService(t, testEnv((await testDatabase(t)).url, { OTP_IP_MAX: '1', TRUSTED_PROXIES: '127.0.0.1' }))
  t.equal((await send(proxied, '2001:db8:1:2::1')).statusCode, 202)
  t.equal((await send(proxied, '2001:db8:1:2:ffff:ffff:ffff:ffff')).statusCode, 429, 'the same /64')
  t.equal((await send(proxied, '2001:db8:1:3::1')).statusCode, 202, 'another /64')
  const absurd = [
    `fe80::1%${'a'.repeat(300)}`,
    'fe80::1%eth0',
    '[2001:db8::1]:443',
    '203.0.113.9:80',
    'unknown',
    '\u0000',
    'x'.repeat(5000),
  ]
  const replies = await Promise.all([...absurd.map((forwarded) => send(proxied, forwarded)), send(proxied, '203.0.113.80')])
  t.same(
    replies.map((reply) => reply.statusCode),
    [202, 429, 429, 429, 429, 429, 429, 202],
    'each absurd address counts as the connecting proxy, which has had its one send; none harms the batch',
  )
})

t.test('test destinations keep the per-address limits and the daily one, whatever the SMS policy', async (t) => {
  const env = testEnv(database.url, {
    OTP_TEST_CODES: '+15550000001:123456,+15550000002:123456',
    OTP_IP_MAX: '2',
    OTP_SEND_DAILY_MAX: '3',
    TRUSTED_PROXIES: '127.0.0.1',
    OTP_SMS_ALLOWED_COUNTRIES: '44',
    OTP_SMS_BLOCKED_TYPES: 'UNKNOWN,FIXED_LINE_OR_MOBILE',
  })
  const app = await buildOtpService(t, env)
  const target = { channel: 'sms', to: '+15550000001', purpose: 'login' }
  const from = { 'x-forwarded-for': '203.0.113.123' }
  t.equal((await post(app, 'send', target, from)).statusCode, 202)
  t.equal((await post(app, 'send', target, from)).statusCode, 202, 'no cooldown for a test destination')
  t.equal((await post(app, 'send', target, from)).statusCode, 429, 'but the address limit holds')
  t.equal((await post(app, 'verify', { ...target, code: '123456' }, from)).statusCode, 200)
  const elsewhere = { 'x-forwarded-for': '203.0.113.124' }
  t.equal((await post(app, 'send', target, elsewhere)).statusCode, 202, 'the third send of the day')
  const fourth = await post(app, 'send', target, { 'x-forwarded-for': '203.0.113.125' })
  t.match(
    fourth.json(),
    { statusCode: 429, code: 'OTP_SEND_LIMIT', message: /destination/ },
    'a day of sends bounds the guesses at a fixed code',
  )
  t.equal((await post(app, 'send', { ...target, to: '+15550000002' }, elsewhere)).statusCode, 202)
})

t.test('production refuses fixed test codes unless they are meant, and shared keys', async (t) => {
  const production = { ...productionEnv, OTP_TEST_CODES: '+15550000001:123456,review@example.com:654321' }
  await t.rejects(buildOtpService(t, testEnv(database.url, production)), /OTP_ALLOW_TEST_CODES/)
  await t.resolves(buildOtpService(t, testEnv(database.url, { ...production, OTP_ALLOW_TEST_CODES: 'true' })))
  await t.rejects(
    buildOtpService(t, testEnv(database.url, { ...production, OTP_TEST_CODES: '', OTP_PEPPER: production.JWT_SECRET })),
    /OTP_PEPPER must differ/,
  )
})

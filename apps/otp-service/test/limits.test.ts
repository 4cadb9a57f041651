import t from 'tap'
import { buildOtpService, lastCode, post, testDatabase, testEnv } from './helpers.ts'

const database = await testDatabase(t)
let phoneCounter = 2000
const nextPhone = () => `+1415555${phoneCounter++}`

t.test('resend cooldown per destination', async (t) => {
  const app = await buildOtpService(t, await testEnv(database.url))
  const target = { channel: 'sms', to: nextPhone(), purpose: 'login' }
  t.equal((await post(app, 'send', target)).statusCode, 202)
  const attempts = [
    ['/api/v1/otp/resend', target],
    ['/api/v1/otp/send', { ...target, purpose: 'signup' }],
  ] as const
  for (const [url, payload] of attempts) {
    const reply = await app.inject({ method: 'POST', url, payload })
    t.equal(reply.statusCode, 429, `${url} ${payload.purpose}: the cooldown is per destination, whatever the purpose`)
    t.equal(reply.json().code, 'OTP_SEND_COOLDOWN')
    const retryAfter = Number(reply.headers['retry-after'])
    t.ok(retryAfter >= 28 && retryAfter <= 30, `Retry-After counts down the 30 s cooldown (${retryAfter})`)
    t.equal(reply.json().retryAfter, retryAfter)
  }
})

t.test('at most N sends per window and per day', async (t) => {
  const app = await buildOtpService(
    t,
    await testEnv(database.url, { OTP_RESEND_COOLDOWN_SECONDS: '0', OTP_SEND_WINDOW_MAX: '3', OTP_SEND_DAILY_MAX: '10' }),
  )
  const target = { channel: 'email', to: 'limits@example.com', purpose: 'login' }
  for (let i = 0; i < 3; i++) t.equal((await post(app, 'send', target)).statusCode, 202)
  const limited = await post(app, 'send', target)
  t.equal(limited.statusCode, 429)
  t.equal(limited.json().code, 'OTP_SEND_LIMIT')
  const retryAfter = Number(limited.headers['retry-after'])
  t.ok(retryAfter > 290 && retryAfter <= 300, `frees up when the oldest send leaves the 5-minute window (${retryAfter})`)

  const daily = await buildOtpService(
    t,
    await testEnv(database.url, { OTP_RESEND_COOLDOWN_SECONDS: '0', OTP_SEND_WINDOW_MAX: '50', OTP_SEND_DAILY_MAX: '2' }),
  )
  const other = { channel: 'email', to: 'daily@example.com', purpose: 'login' }
  for (let i = 0; i < 2; i++) await post(daily, 'send', other)
  const overDaily = await post(daily, 'send', other)
  t.equal(overDaily.json().code, 'OTP_SEND_LIMIT')
  t.ok(Number(overDaily.headers['retry-after']) > 86_000, 'the daily limit frees up a day after the oldest send')
})

t.test('per client IP, as told by the trusted proxy', async (t) => {
  const app = await buildOtpService(t, await testEnv(database.url, { OTP_IP_MAX: '2' }))
  const from = (ip: string, to: string) =>
    app.inject({
      method: 'POST',
      url: '/api/v1/otp/send',
      payload: { channel: 'sms', to, purpose: 'login' },
      headers: { 'x-forwarded-for': ip },
    })
  t.equal((await from('203.0.113.7', nextPhone())).statusCode, 202)
  t.equal((await from('203.0.113.7', nextPhone())).statusCode, 202)
  const limited = await from('203.0.113.7', nextPhone())
  t.equal(limited.statusCode, 429)
  t.match(limited.json(), { code: 'OTP_SEND_LIMIT', message: /address/ })
  t.ok(Number(limited.headers['retry-after']) > 0)
  t.equal((await from('203.0.113.8', nextPhone())).statusCode, 202, 'another client is not affected')
})

t.test('X-Forwarded-For is ignored unless a proxy is trusted', async (t) => {
  // A database of its own: every earlier send in this file came from the same loopback address.
  const own = await testDatabase(t)
  const app = await buildOtpService(t, await testEnv(own.url, { OTP_IP_MAX: '1', TRUST_PROXY_HOPS: '0' }))
  const from = (ip: string) => post(app, 'send', { channel: 'sms', to: nextPhone(), purpose: 'login' }, { 'x-forwarded-for': ip })
  t.equal((await from('203.0.113.50')).statusCode, 202)
  const spoofed = await from('203.0.113.51')
  t.equal(spoofed.statusCode, 429, 'a forged address does not escape the per-address limit')
})

t.test('a forwarded address that is not an address counts as the connecting one, and harms no other send', async (t) => {
  const own = await testDatabase(t)
  const app = await buildOtpService(t, await testEnv(own.url, { OTP_IP_MAX: '1' }))
  const from = (ip: string) => post(app, 'send', { channel: 'sms', to: nextPhone(), purpose: 'login' }, { 'x-forwarded-for': ip })
  // Sent together, so they share a batch with the malformed one.
  const answers = await Promise.all([from('203.0.113.60'), from('x'.repeat(300)), from('203.0.113.61')])
  t.same(
    answers.map((answer) => answer.statusCode),
    [202, 202, 202],
  )
  t.equal((await from('not an address')).statusCode, 429, 'limited as the connecting address, which has had its one send')
})

t.test('SMS only to allowed countries', async (t) => {
  const app = await buildOtpService(t, await testEnv(database.url, { OTP_SMS_ALLOWED_COUNTRIES: '1,44' }))
  const send = (to: string, channel = 'sms') => post(app, 'send', { channel, to, purpose: 'login' })
  t.equal((await send('+447911123456')).statusCode, 202)
  const refused = await send('+919876543210')
  t.equal(refused.statusCode, 400)
  t.equal(refused.json().code, 'PHONE_COUNTRY_NOT_ALLOWED')
  t.equal((await send('someone@example.in', 'email')).statusCode, 202, 'email is not affected')
})

t.test('failed verifies are capped per destination across codes (no resend-and-guess)', async (t) => {
  const env = await testEnv(database.url, {
    OTP_RESEND_COOLDOWN_SECONDS: '0',
    OTP_MAX_ATTEMPTS: '5',
    OTP_VERIFY_FAILURE_MAX: '4',
  })
  const app = await buildOtpService(t, env)
  const to = nextPhone()
  const target = { channel: 'sms', to, purpose: 'login' }
  const guess = async () => {
    const code = await lastCode(env, to)
    const wrong = code === '999999' ? '888888' : '999999'
    return post(app, 'verify', { ...target, code: wrong })
  }
  for (let round = 0; round < 2; round++) {
    await post(app, 'send', target)
    t.equal((await guess()).json().code, 'OTP_INVALID')
    t.equal((await guess()).json().code, 'OTP_INVALID')
  }
  await post(app, 'send', target)
  const code = await lastCode(env, to)
  const capped = await post(app, 'verify', { ...target, code })
  t.equal(capped.statusCode, 429, 'even the right code waits once the destination hit the cap')
  t.equal(capped.json().code, 'OTP_TOO_MANY_ATTEMPTS')
  t.ok(Number(capped.headers['retry-after']) > 3500)
})

import t from 'tap'
import { buildOtpService, post, testDatabase, testEnv } from './helpers.ts'

const database = await testDatabase(t)
let phoneCounter = 2000
const nextPhone = () => `+1415555${phoneCounter++}`

t.test('resend cooldown per destination', async (t) => {
  const app = await buildOtpService(t, testEnv(database.url))
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
    testEnv(database.url, { OTP_RESEND_COOLDOWN_SECONDS: '0', OTP_SEND_WINDOW_MAX: '3', OTP_SEND_DAILY_MAX: '10' }),
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
    testEnv(database.url, { OTP_RESEND_COOLDOWN_SECONDS: '0', OTP_SEND_WINDOW_MAX: '50', OTP_SEND_DAILY_MAX: '2' }),
  )
  const other = { channel: 'email', to: 'daily@example.com', purpose: 'login' }
  for (let i = 0; i < 2; i++) await post(daily, 'send', other)
  const overDaily = await post(daily, 'send', other)
  t.equal(overDaily.json().code, 'OTP_SEND_LIMIT')
  t.ok(Number(overDaily.headers['retry-after']) > 86_000, 'the daily limit frees up a day after the oldest send')
})

t.test('per client IP, as told by the trusted proxy', async (t) => {
  const app = await buildOtpService(t, testEnv(database.url, { OTP_IP_MAX: '2', TRUSTED_PROXIES: '127.0.0.1' }))
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

t.test('SMS only to allowed countries', async (t) => {
  const app = await buildOtpService(t, testEnv(database.url, { OTP_SMS_ALLOWED_COUNTRIES: '1,44' }))
  const send = (to: string, channel = 'sms') => post(app, 'send', { channel, to, purpose: 'login' })
  t.equal((await send('+447911123456')).statusCode, 202)
  const refused = await send('+919876543210')
  t.equal(refused.statusCode, 400)
  t.equal(refused.json().code, 'PHONE_COUNTRY_NOT_ALLOWED')
  t.equal((await send('someone@example.in', 'email')).statusCode, 202, 'email is not affected')
})

import { createTokenService } from '@otp-suite/jwt'
import t from 'tap'
import { buildOtpService, jwtSecret, lastCode, outbox, post, testDatabase, testEnv } from './helpers.ts'

const database = await testDatabase(t)
const tokens = createTokenService({ secret: jwtSecret })
let phoneCounter = 1000
const nextPhone = () => `+1415555${phoneCounter++}`

t.test('sign-in cycle by SMS: send, verify once, proof for the normalized destination', async (t) => {
  const env = testEnv(database.url)
  const app = await buildOtpService(t, env)
  const national = '(415) 555-0142'
  const sent = await post(app, 'send', { channel: 'sms', to: national, purpose: 'login' })
  t.equal(sent.statusCode, 202)
  t.same(sent.json(), { success: true, expiresIn: 600, resendAfter: 30 })
  t.notMatch(sent.body, /\d{6}/, 'the code is never in the response')

  const code = await lastCode(env, '+14155550142')
  t.match(code, /^\d{6}$/)
  const verified = await post(app, 'verify', { channel: 'sms', to: '+1 415 555 0142', purpose: 'login', code })
  t.equal(verified.statusCode, 200)
  const body = verified.json()
  t.match(body, { success: true, verified: true, proofExpiresIn: 300 })
  const proof = tokens.verify('otp_proof', body.proof)
  t.match(proof, { sub: '+14155550142', channel: 'sms', purpose: 'login', userType: 'live', typ: 'otp_proof' })
  t.throws(() => tokens.verify('access', body.proof), 'a proof is not an access token')

  const again = await post(app, 'verify', { channel: 'sms', to: '+14155550142', purpose: 'login', code })
  t.equal(again.statusCode, 410)
  t.equal(again.json().code, 'OTP_EXPIRED', 'a used code is gone')
})

t.test('email codes: trimmed and lower-cased, bound to purpose and user type', async (t) => {
  const env = testEnv(database.url)
  const app = await buildOtpService(t, env)
  const sent = await post(app, 'send', { channel: 'email', to: '  Ada@Example.COM ', purpose: 'signup', userType: 'demo' })
  t.equal(sent.statusCode, 202)
  const code = await lastCode(env, 'ada@example.com')
  const attempt = (payload: object) => post(app, 'verify', { channel: 'email', to: 'ada@example.com', code, ...payload })

  t.equal((await attempt({ purpose: 'login', userType: 'demo' })).statusCode, 410, 'another purpose has no code')
  t.equal((await attempt({ purpose: 'signup' })).statusCode, 410, 'live is not demo')
  const ok = await attempt({ purpose: 'signup', userType: 'demo' })
  t.equal(ok.statusCode, 200)
  t.match(tokens.verify('otp_proof', ok.json().proof), { sub: 'ada@example.com', channel: 'email', userType: 'demo' })
})

t.test('a new send replaces the pending code', async (t) => {
  const env = testEnv(database.url, { OTP_RESEND_COOLDOWN_SECONDS: '0' })
  const app = await buildOtpService(t, env)
  const to = nextPhone()
  const target = { channel: 'sms', to, purpose: 'login' }
  await post(app, 'send', target)
  const first = await lastCode(env, to)
  const resent = await post(app, 'resend', target)
  t.equal(resent.statusCode, 202)
  const second = await lastCode(env, to)
  t.equal((await outbox(env)).length, 2)
  if (first !== second) {
    const old = await post(app, 'verify', { ...target, code: first })
    t.equal(old.json().code, 'OTP_INVALID', 'the replaced code no longer verifies')
  }
  const current = await post(app, 'verify', { ...target, code: second })
  t.equal(current.statusCode, 200)
})

t.test('resend needs a pending code', async (t) => {
  const app = await buildOtpService(t, testEnv(database.url))
  const reply = await post(app, 'resend', { channel: 'sms', to: nextPhone(), purpose: 'login' })
  t.equal(reply.statusCode, 404)
  t.equal(reply.json().code, 'OTP_NOT_FOUND')
})

t.test('codes expire', async (t) => {
  const env = testEnv(database.url, { OTP_TTL_SECONDS: '1' })
  const app = await buildOtpService(t, env)
  const to = nextPhone()
  await post(app, 'send', { channel: 'sms', to, purpose: 'login' })
  const code = await lastCode(env, to)
  await new Promise((resolve) => setTimeout(resolve, 1100))
  const reply = await post(app, 'verify', { channel: 'sms', to, purpose: 'login', code })
  t.equal(reply.statusCode, 410)
  t.equal(reply.json().code, 'OTP_EXPIRED')
})

t.test('wrong codes count down, then the code is dead even for the right guess', async (t) => {
  const env = testEnv(database.url, { OTP_MAX_ATTEMPTS: '3' })
  const app = await buildOtpService(t, env)
  const to = nextPhone()
  const target = { channel: 'sms', to, purpose: 'login' }
  await post(app, 'send', target)
  const code = await lastCode(env, to)
  const wrong = code === '000000' ? '111111' : '000000'
  const left = []
  for (let i = 0; i < 3; i++) {
    const reply = await post(app, 'verify', { ...target, code: wrong })
    t.equal(reply.statusCode, 400)
    t.equal(reply.json().code, 'OTP_INVALID')
    left.push(reply.json().attemptsLeft)
  }
  t.same(left, [2, 1, 0])
  const locked = await post(app, 'verify', { ...target, code })
  t.equal(locked.statusCode, 429)
  t.equal(locked.json().code, 'OTP_TOO_MANY_ATTEMPTS')
  t.ok(Number(locked.headers['retry-after']) >= 1, 'says when to try again')
})

t.test('test destinations get their fixed code, undelivered, unlimited, still single-use', async (t) => {
  const env = testEnv(database.url, { OTP_TEST_CODES: '+15550000001:123456, qa@example.com:654321' })
  const app = await buildOtpService(t, env)
  const target = { channel: 'sms', to: '+15550000001', purpose: 'login' }
  for (let i = 0; i < 5; i++) {
    const reply = await post(app, 'send', target)
    t.equal(reply.statusCode, 202, 'no cooldown or send limit')
  }
  t.same(await outbox(env), [], 'nothing is delivered')
  const wrong = await post(app, 'verify', { ...target, code: '000000' })
  t.equal(wrong.json().code, 'OTP_INVALID', 'still attempt-limited')
  const ok = await post(app, 'verify', { ...target, code: '123456' })
  t.equal(ok.statusCode, 200)
  const reused = await post(app, 'verify', { ...target, code: '123456' })
  t.equal(reused.statusCode, 410)
  const rows = await database.query<{ code_hash: Buffer | null }>('SELECT code_hash FROM otp_codes')
  t.notOk(
    rows.some((row) => row.code_hash?.toString().includes('123456')),
    'stored hashed',
  )
})

t.test('metrics count sends and verifies by result; the OpenAPI document lists the routes', async (t) => {
  const env = testEnv(database.url)
  const app = await buildOtpService(t, env)
  const to = nextPhone()
  await post(app, 'send', { channel: 'sms', to, purpose: 'login' })
  await post(app, 'verify', { channel: 'sms', to, purpose: 'login', code: await lastCode(env, to) })
  await post(app, 'verify', { channel: 'sms', to, purpose: 'login', code: '000000' })

  const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body
  t.match(metrics, /otp_sends_total\{channel="sms",result="delivered"\} 1/)
  t.match(metrics, /otp_verifies_total\{channel="sms",result="verified"\} 1/)
  t.match(metrics, /otp_verifies_total\{channel="sms",result="missing"\} 1/)
  t.match(metrics, /otp_database_batch_size_count\{statement="issue"\} 1/)
  t.match(metrics, /otp_database_batch_size_count\{statement="verify"\} 2/)
  t.match(metrics, /http_request_duration_seconds_count\{method="POST",route="\/api\/v1\/otp\/send",status_code="202"\} 1/)

  const openapi = (await app.inject({ method: 'GET', url: '/docs/json' })).json()
  for (const path of ['/api/v1/otp/send', '/api/v1/otp/resend', '/api/v1/otp/verify', '/internal/v1/stats']) {
    t.ok(openapi.paths[path], `${path} is documented`)
  }
  t.ok(openapi.paths['/api/v1/otp/verify'].post.responses['429'], 'error answers are documented too')
})

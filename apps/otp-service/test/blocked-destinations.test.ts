import { createTokenService } from '@otp-suite/jwt'
import t from 'tap'
import { buildOtpService, jwtSecret, outbox, post, testDatabase, testEnv, twoInstances } from './helpers.ts'

const database = await testDatabase(t)
const tokens = createTokenService({ secret: jwtSecret })
const serviceToken = tokens.sign('service', { sub: 'user-service' }).token
const url = '/internal/v1/blocked-destinations'

type App = Awaited<ReturnType<typeof buildOtpService>>
type Entry = { channel: string; to: string }
const setBlocked = (app: App, destinations: Entry[], blocked: boolean, token: string | null = serviceToken) =>
  app.inject({
    method: 'PUT',
    url,
    payload: { destinations, blocked },
    headers: token === null ? {} : { authorization: `Bearer ${token}` },
  })
const blockedRows = () =>
  database.query<{ channel: string; destination: string }>('SELECT channel, destination FROM otp_blocked_destinations ORDER BY 1, 2')
const codeRows = async (destination: string) =>
  (await database.query<{ n: number }>('SELECT count(*)::int AS n FROM otp_codes WHERE destination = $1', [destination]))[0]?.n

t.test('behind a service token', async (t) => {
  const app = await buildOtpService(t, testEnv(database.url))
  const entries = [{ channel: 'email', to: 'nobody@example.com' }]
  t.equal((await setBlocked(app, entries, true, null)).statusCode, 401)
  const access = tokens.sign('access', { sub: 'u1', role: 'admin', userType: 'live', sid: 's1' }).token
  t.equal((await setBlocked(app, entries, true, access)).statusCode, 401, 'a user token is not a service token')
  const unjudged = await app.inject({ method: 'PUT', url, payload: {} })
  t.equal(unjudged.statusCode, 401, 'without a token the body is not judged')
  t.same(await blockedRows(), [])
})

t.test('a blocked destination gets 403 in whatever form it is written, and nothing is stored or delivered', async (t) => {
  const env = testEnv(database.url)
  const app = await buildOtpService(t, env)
  const blocked = await setBlocked(
    app,
    [
      { channel: 'sms', to: '(415) 555-6001' },
      { channel: 'email', to: 'BANNED@Example.COM' },
    ],
    true,
  )
  t.equal(blocked.statusCode, 204)
  t.equal(blocked.body, '')

  for (const target of [
    { channel: 'sms', to: '+14155556001', purpose: 'login' },
    { channel: 'email', to: 'banned@example.com', purpose: 'signup', userType: 'demo' },
  ]) {
    for (const route of ['send', 'resend'] as const) {
      const reply = await post(app, route, target)
      t.equal(reply.statusCode, 403, `${route} ${target.to}`)
      t.match(reply.json(), { code: 'DESTINATION_BLOCKED', message: 'Codes cannot be sent to this destination' })
    }
    t.equal(await codeRows(target.to), 0, 'no code stored')
  }
  t.same(await outbox(env), [], 'nothing delivered')
  t.equal(
    (await post(app, 'send', { channel: 'sms', to: '+14155556002', purpose: 'login' })).statusCode,
    202,
    'another number is not affected',
  )
  const metrics = await app.inject({ method: 'GET', url: '/metrics' })
  t.match(metrics.body, /otp_sends_total\{channel="sms",result="blocked"\} 2/, 'the send and the resend')
})

t.test('resend to a destination blocked while a code was pending', async (t) => {
  const env = testEnv(database.url, { OTP_RESEND_COOLDOWN_SECONDS: '0' })
  const app = await buildOtpService(t, env)
  const target = { channel: 'email', to: 'pending@example.com', purpose: 'login' }
  t.equal((await post(app, 'send', target)).statusCode, 202)
  t.equal((await setBlocked(app, [target], true)).statusCode, 204)
  const reply = await post(app, 'resend', target)
  t.equal(reply.statusCode, 403)
  t.equal(reply.json().code, 'DESTINATION_BLOCKED')
  t.equal((await outbox(env)).length, 1, 'only the code sent before the block')
})

t.test('idempotent both ways; unblocking lifts it, and refused sends counted against no limit', async (t) => {
  // The cooldown, the destination's window and the address's limit would each refuse a second send.
  const env = testEnv(database.url, { OTP_IP_MAX: '1', OTP_SEND_WINDOW_MAX: '1', TRUSTED_PROXIES: '127.0.0.1' })
  const app = await buildOtpService(t, env)
  const target = { channel: 'sms', to: '+14155556003', purpose: 'login' }
  const send = () => app.inject({ method: 'POST', url: '/api/v1/otp/send', payload: target, headers: { 'x-forwarded-for': '203.0.113.9' } })

  t.equal((await setBlocked(app, [{ channel: 'sms', to: '+1 415 555 6099' }], false)).statusCode, 204, 'unblocking what is not blocked')
  for (let i = 0; i < 2; i++)
    t.equal((await setBlocked(app, [target, target], true)).statusCode, 204, 'blocking twice, and a repeat in one list')
  t.equal((await blockedRows()).filter(({ destination }) => destination === target.to).length, 1)
  for (let i = 0; i < 3; i++) t.equal((await send()).statusCode, 403)

  for (let i = 0; i < 2; i++) t.equal((await setBlocked(app, [target], false)).statusCode, 204, 'unblocking twice')
  t.equal((await send()).statusCode, 202, 'the refused sends left no trace in any limit')
  t.equal((await outbox(env)).length, 1)
})

t.test('numbers SMS may not go to can still be blocked, and stay blocked if the rules change', async (t) => {
  const strict = await buildOtpService(t, testEnv(database.url, { OTP_SMS_ALLOWED_COUNTRIES: '1' }))
  const numbers = ['+44 909 876 5432', '+1 900 555 0199', '+91 98765 43210']
  const reply = await setBlocked(
    strict,
    numbers.map((to) => ({ channel: 'sms', to })),
    true,
  )
  t.equal(reply.statusCode, 204, 'premium rate and a country SMS is not enabled for')
  t.equal((await post(strict, 'send', { channel: 'sms', to: numbers[0], purpose: 'login' })).json().code, 'PHONE_COUNTRY_NOT_ALLOWED')

  const open = await buildOtpService(t, testEnv(database.url, { OTP_SMS_BLOCKED_TYPES: '' }))
  for (const to of numbers) {
    const send = await post(open, 'send', { channel: 'sms', to, purpose: 'login' })
    t.equal(send.statusCode, 403, `${to}: blocked once SMS may reach it`)
  }
})

t.test('one bad entry: 400 with its code, and nothing written', async (t) => {
  const app = await buildOtpService(t, testEnv(database.url))
  const good = { channel: 'email', to: 'fine@example.com' }
  const before = await blockedRows()
  const cases: [string, Entry[] | unknown[], string][] = [
    ['not a phone', [good, { channel: 'sms', to: 'call me maybe' }], 'INVALID_PHONE'],
    ['not one bare address', [good, { channel: 'email', to: 'x<fine@example.com>' }], 'INVALID_EMAIL'],
    ['unknown channel', [good, { channel: 'pigeon', to: 'fine@example.com' }], 'VALIDATION_ERROR'],
    ['control character', [good, { channel: 'email', to: 'a\u0000b@example.com' }], 'VALIDATION_ERROR'],
    ['more than 100', Array.from({ length: 101 }, (_, i) => ({ channel: 'email', to: `many-${i}@example.com` })), 'VALIDATION_ERROR'],
  ]
  for (const [name, destinations, code] of cases) {
    const reply = await setBlocked(app, destinations as Entry[], true)
    t.equal(reply.statusCode, 400, name)
    t.equal(reply.json().code, code, name)
  }
  const missing = await app.inject({
    method: 'PUT',
    url,
    payload: { destinations: [good] },
    headers: { authorization: `Bearer ${serviceToken}` },
  })
  t.equal(missing.json().code, 'VALIDATION_ERROR', 'blocked is required')
  t.same(await blockedRows(), before, 'nothing blocked')
  t.equal((await post(app, 'send', { ...good, purpose: 'login' })).statusCode, 202)
})

t.test('blocked on one instance, refused on the other', async (t) => {
  const { env, urls, post } = await twoInstances(t, database.url)
  const target = { channel: 'email', to: 'elsewhere@example.com', purpose: 'login' }
  const put = (instance: number, blocked: boolean) =>
    fetch(`${urls[instance]}${url}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${serviceToken}` },
      body: JSON.stringify({ destinations: [{ channel: target.channel, to: target.to }], blocked }),
    })
  t.equal((await put(0, true)).status, 204)
  const refused = await post(1, 'send', target)
  t.equal(refused.status, 403)
  t.equal(refused.body.code, 'DESTINATION_BLOCKED')
  t.equal((await put(1, false)).status, 204)
  t.equal((await post(0, 'send', target)).status, 202)
  t.equal((await outbox(env)).length, 1)
})

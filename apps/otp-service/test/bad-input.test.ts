import t from 'tap'
import { buildOtpService, post, testDatabase, testEnv } from './helpers.ts'

const database = await testDatabase(t)
const app = await buildOtpService(t, await testEnv(database.url))
const valid = { channel: 'sms', to: '+14155554001', purpose: 'login' }

const cases: [string, string, unknown, number, string][] = [
  ['missing channel', 'send', { to: valid.to, purpose: 'login' }, 400, 'VALIDATION_ERROR'],
  ['missing to', 'send', { channel: 'sms', purpose: 'login' }, 400, 'VALIDATION_ERROR'],
  ['missing purpose', 'send', { channel: 'sms', to: valid.to }, 400, 'VALIDATION_ERROR'],
  ['unknown channel', 'send', { ...valid, channel: 'pigeon' }, 400, 'VALIDATION_ERROR'],
  ['unknown purpose', 'send', { ...valid, purpose: 'anything' }, 400, 'VALIDATION_ERROR'],
  ['unknown user type', 'send', { ...valid, userType: 'admin' }, 400, 'VALIDATION_ERROR'],
  ['number for a phone', 'send', { ...valid, to: 14155554001 }, 400, 'VALIDATION_ERROR'],
  ['array body', 'send', [valid], 400, 'VALIDATION_ERROR'],
  ['oversized field', 'send', { ...valid, to: `+1${'4'.repeat(400)}` }, 400, 'VALIDATION_ERROR'],
  ['not a phone', 'send', { ...valid, to: 'call me maybe' }, 400, 'INVALID_PHONE'],
  ['too short a phone', 'send', { ...valid, to: '+1 415' }, 400, 'INVALID_PHONE'],
  ['unknown country code', 'send', { ...valid, to: '+999 1234 5678' }, 400, 'INVALID_PHONE'],
  ['not an email', 'send', { channel: 'email', to: 'user-at-example.com', purpose: 'login' }, 400, 'INVALID_EMAIL'],
  ['email with spaces inside', 'send', { channel: 'email', to: 'a b@example.com', purpose: 'login' }, 400, 'INVALID_EMAIL'],
  ['code too short', 'verify', { ...valid, code: '12345' }, 400, 'VALIDATION_ERROR'],
  ['code too long', 'verify', { ...valid, code: '1234567' }, 400, 'VALIDATION_ERROR'],
  ['code with letters', 'verify', { ...valid, code: '12a456' }, 400, 'VALIDATION_ERROR'],
  ['code as a number', 'verify', { ...valid, code: 123456 }, 400, 'VALIDATION_ERROR'],
  ['missing code', 'verify', valid, 400, 'VALIDATION_ERROR'],
  ['bad phone on verify', 'verify', { ...valid, to: 'nope', code: '123456' }, 400, 'INVALID_PHONE'],
]

for (const [name, path, payload, status, code] of cases) {
  t.test(`${path}: ${name}`, async (t) => {
    const reply = await app.inject({ method: 'POST', url: `/api/v1/otp/${path}`, payload: payload as object })
    t.equal(reply.statusCode, status)
    t.match(reply.json(), { statusCode: status, code, message: String })
  })
}

t.test('validation messages name the field', async (t) => {
  const reply = await post(app, 'verify', { ...valid, code: 'abc' })
  t.match(reply.json().message, /code/)
})

t.test('malformed and oversized bodies', async (t) => {
  const broken = await app.inject({
    method: 'POST',
    url: '/api/v1/otp/send',
    payload: '{"channel": "sms",',
    headers: { 'content-type': 'application/json' },
  })
  t.match(broken.json(), { statusCode: 400, code: 'INVALID_BODY' })
  const huge = await post(app, 'send', { ...valid, padding: 'x'.repeat(64 * 1024) })
  t.match(huge.json(), { statusCode: 413, code: 'PAYLOAD_TOO_LARGE' })
  const form = await app.inject({
    method: 'POST',
    url: '/api/v1/otp/send',
    payload: 'channel=sms',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  })
  t.match(form.json(), { statusCode: 415, code: 'UNSUPPORTED_MEDIA_TYPE' })
})

t.test('unknown fields are dropped, not trusted', async (t) => {
  const reply = await post(app, 'send', { ...valid, code: '000000', attempts: -5 })
  t.equal(reply.statusCode, 202)
  const rows = await database.query<{ attempts: number }>('SELECT attempts FROM otp_codes')
  t.same(rows, [{ attempts: 0 }])
})

t.test('bad input wrote nothing', async (t) => {
  const codes = await database.query<{ destination: string; failed_at: string[] }>('SELECT destination, failed_at FROM otp_codes')
  t.same(
    codes.map((row) => row.destination),
    [valid.to],
    'only the one valid send left a row',
  )
  t.same(codes[0]?.failed_at, [], 'no failure was recorded for input that never reached a code')
})

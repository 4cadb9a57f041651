import t from 'tap'
import { buildOtpService, post, testDatabase, testEnv } from './helpers.ts'

const database = await testDatabase(t)
const app = await buildOtpService(t, testEnv(database.url))
const valid = { channel: 'sms', to: '+14155554001', purpose: 'login' }
const email = { channel: 'email', to: 'someone@example.com', purpose: 'login' }

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
  ...['\u0000', '\u001b[31m', '\u007f', '\r\nX-Injected: 1', '\u202e', '\u200b', '\ud800'].flatMap(
    (hostile): [string, string, unknown, number, string][] => [
      [
        `control or invisible character in a phone (U+${hostile.charCodeAt(0).toString(16)})`,
        'send',
        { ...valid, to: `+1415555${hostile}4001` },
        400,
        'VALIDATION_ERROR',
      ],
      [
        `control or invisible character in an email (U+${hostile.charCodeAt(0).toString(16)})`,
        'send',
        { ...email, to: `a${hostile}b@example.com` },
        400,
        'VALIDATION_ERROR',
      ],
      [
        `control or invisible character on verify (U+${hostile.charCodeAt(0).toString(16)})`,
        'verify',
        { ...email, to: `a${hostile}b@example.com`, code: '123456' },
        400,
        'VALIDATION_ERROR',
      ],
      [
        `control character in the code (U+${hostile.charCodeAt(0).toString(16)})`,
        'verify',
        { ...valid, code: `12345${hostile}` },
        400,
        'VALIDATION_ERROR',
      ],
      [
        `control character in the purpose (U+${hostile.charCodeAt(0).toString(16)})`,
        'send',
        { ...valid, purpose: `login${hostile}` },
        400,
        'VALIDATION_ERROR',
      ],
    ],
  ),
  ['an address list', 'send', { ...email, to: 'a@example.com,b@example.com' }, 400, 'INVALID_EMAIL'],
  ['a display name', 'send', { ...email, to: 'Someone <a@example.com>' }, 400, 'INVALID_EMAIL'],
  ['a group', 'send', { ...email, to: 'g:a@example.com;' }, 400, 'INVALID_EMAIL'],
  ['a comment', 'send', { ...email, to: 'a@example.com(x)' }, 400, 'INVALID_EMAIL'],
  ['a quoted local part', 'send', { ...email, to: '"a"@example.com' }, 400, 'INVALID_EMAIL'],
  ['two phones', 'send', { ...valid, to: '+14155554001,+14155554002' }, 400, 'INVALID_PHONE'],
  ['a premium-rate number', 'send', { ...valid, to: '+19005550123' }, 400, 'PHONE_TYPE_NOT_ALLOWED'],
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
  const codes = await database.query<{ destination: string }>('SELECT destination FROM otp_codes')
  t.same(
    codes.map((row) => row.destination),
    [valid.to],
    'only the one valid send left a row',
  )
  t.same(
    await database.query('SELECT ip FROM otp_client_ips WHERE cardinality(failed_at) > 0'),
    [],
    'no guess was counted for input that never reached a code',
  )
})

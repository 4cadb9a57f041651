import { startTestSmtpServer } from '@otp-suite/delivery/testing'
import t from 'tap'
import { bearer, buildUserService, login, proofFor, testDatabase, testEnv, tokens } from './helpers.ts'

const database = await testDatabase(t)
const smtp = await startTestSmtpServer()
t.teardown(smtp.close)
const app = await buildUserService(
  t,
  testEnv(database.url, {
    EMAIL_PROVIDER: 'smtp',
    SMTP_URL: smtp.url,
    MAIL_FROM: 'accounts@suite.test',
    EMAIL_VERIFY_URL: 'https://app.test/verify?token=',
  }),
)

t.test('a phone proved by a verify_phone code is attached once; one taken by another user is 409', async (t) => {
  const owner = await login(app, { sub: 'phone-owner@example.com' })
  const attach = (session: { accessToken: string }, proof: string) =>
    app.inject({ method: 'POST', url: '/api/v1/users/me/phone', headers: bearer(session.accessToken), payload: { proof } })
  const proof = proofFor({ sub: '+14155550300', purpose: 'verify_phone' })
  const attached = await attach(owner, proof)
  t.equal(attached.statusCode, 200)
  t.match(attached.json(), { email: 'phone-owner@example.com', phone: '+14155550300', phoneVerified: true })
  t.equal((await attach(owner, proof)).json().code, 'PROOF_INVALID', 'a proof works once')
  t.equal((await attach(owner, proofFor({ sub: '+14155550301' }))).json().code, 'PROOF_INVALID', 'a login proof is not a phone proof')

  const other = await login(app, { sub: 'someone-else@example.com' })
  const taken = await attach(other, proofFor({ sub: '+14155550300', purpose: 'verify_phone' }))
  t.equal(taken.statusCode, 409)
  t.equal(taken.json().code, 'PHONE_TAKEN')
})

t.test('a user banned while attaching a phone: 401 as the next request gets, and the proof not spent', async (t) => {
  const session = await login(app, { sub: 'banned-midway@example.com' })
  const { sub } = tokens.verify('access', session.accessToken)
  // The ban lands between the token's check and the update: the update finds no active user
  // (a trigger skipping the row stands in for it).
  await database.query(`
    CREATE FUNCTION skip_row() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
    CREATE TRIGGER banned_midway BEFORE UPDATE ON users FOR EACH ROW WHEN (OLD.id = '${sub}') EXECUTE FUNCTION skip_row();`)
  t.teardown(() => database.query('DROP TRIGGER IF EXISTS banned_midway ON users; DROP FUNCTION IF EXISTS skip_row()'))
  const proof = proofFor({ sub: '+14155550350', purpose: 'verify_phone' })
  const attach = () =>
    app.inject({ method: 'POST', url: '/api/v1/users/me/phone', headers: bearer(session.accessToken), payload: { proof } })
  const midway = await attach()
  t.equal(midway.statusCode, 401)
  t.equal(midway.json().code, 'TOKEN_REVOKED')
  await database.query('DROP TRIGGER banned_midway ON users')
  t.equal((await attach()).statusCode, 200, 'the proof was not spent by the attempt that failed')
})

t.test('email verification: a link mailed through real SMTP, confirmed once', async (t) => {
  const session = await login(app, { sub: '+14155550310' })
  const asked = await app.inject({
    method: 'POST',
    url: '/api/v1/users/me/email/verification',
    headers: bearer(session.accessToken),
    payload: { email: '  New@Example.com ' },
  })
  t.equal(asked.statusCode, 202)
  const mail = smtp.messages.at(-1)
  t.same(mail?.to, ['new@example.com'], 'mailed to the normalized address only')
  // The text part is quoted-printable: soft line breaks and an encoded "=" to undo.
  const text = mail?.body.replace(/=\r\n/g, '').replace(/=3D/g, '=')
  const token = text?.match(/https:\/\/app\.test\/verify\?token=([\w.-]+)/)?.[1]
  t.ok(token, 'the mail carries the link')
  const me = async () => (await app.inject({ method: 'GET', url: '/api/v1/users/me', headers: bearer(session.accessToken) })).json()
  t.match(await me(), { email: null, emailVerified: false }, 'nothing changes before the link is used')

  const confirm = () => app.inject({ method: 'POST', url: '/api/v1/users/email/verify', payload: { token } })
  const confirmed = await confirm()
  t.equal(confirmed.statusCode, 200)
  t.same(confirmed.json(), { verified: true })
  t.match(await me(), { email: 'new@example.com', emailVerified: true })
  const twice = await confirm()
  t.equal(twice.statusCode, 400)
  t.equal(twice.json().code, 'LINK_INVALID')
})

t.test('email links: taken, malformed, forged and expired', async (t) => {
  const session = await login(app, { sub: '+14155550320' })
  await login(app, { sub: 'taken@example.com' })
  const ask = (email: string) =>
    app.inject({ method: 'POST', url: '/api/v1/users/me/email/verification', headers: bearer(session.accessToken), payload: { email } })
  t.equal((await ask('Taken@example.com')).json().code, 'EMAIL_TAKEN')
  t.equal((await ask('x <victim@example.com>')).json().code, 'INVALID_EMAIL')
  t.equal((await ask('a\u0000b@example.com')).json().code, 'VALIDATION_ERROR')

  const confirm = async (token: string) =>
    (await app.inject({ method: 'POST', url: '/api/v1/users/email/verify', payload: { token } })).json()
  t.equal((await confirm('not.a.token')).code, 'LINK_INVALID')
  t.equal((await confirm(session.accessToken)).code, 'LINK_INVALID', 'an access token is not a link')
  const claims = tokens.verify('access', session.accessToken)
  const shortLived = tokens.sign('email_verify', { sub: claims.sub, email: 'late@example.com' }, { expiresIn: 1 })
  await new Promise((resolve) => setTimeout(resolve, 6500))
  t.equal((await confirm(shortLived.token)).code, 'LINK_EXPIRED')
})

t.test('links a user may have mailed an hour, addresses that have accounts included, however many ask at once', async (t) => {
  const session = await login(app, { sub: '+14155550340' })
  await login(app, { sub: 'has-account@example.com' })
  const ask = (email: string) =>
    app.inject({ method: 'POST', url: '/api/v1/users/me/email/verification', headers: bearer(session.accessToken), payload: { email } })
  const mailed = smtp.messages.length
  const answers = await Promise.all(['has-account@example.com', ...Array.from({ length: 6 }, (_, i) => `free${i}@example.com`)].map(ask))
  const codes = answers.map((answer) => (answer.statusCode === 202 ? 202 : answer.json().code)).sort()
  t.same(codes.filter((code) => code !== 'EMAIL_LINK_LIMIT').length, 5, 'five of seven at once: the hourly limit (EMAIL_VERIFY_HOURLY_MAX)')
  t.equal(codes.filter((code) => code === 'EMAIL_LINK_LIMIT').length, 2)
  t.equal(smtp.messages.length - mailed, codes.filter((code) => code === 202).length, 'a mail for each 202 only')
  const later = await ask('has-account@example.com')
  t.equal(later.statusCode, 429, 'past the limit, an address with an account is not told apart')
  t.equal(later.json().code, 'EMAIL_LINK_LIMIT')
  t.ok(later.json().retryAfter > 3000 && later.json().retryAfter <= 3600)
})

t.test('an SMTP server that refuses: 502, nothing changed', async (t) => {
  const refusing = await startTestSmtpServer({ refuse: true })
  t.teardown(refusing.close)
  const refusingApp = await buildUserService(t, testEnv(database.url, { EMAIL_PROVIDER: 'smtp', SMTP_URL: refusing.url }))
  const session = await login(refusingApp, { sub: '+14155550330' })
  const asked = await refusingApp.inject({
    method: 'POST',
    url: '/api/v1/users/me/email/verification',
    headers: bearer(session.accessToken),
    payload: { email: 'refused@example.com' },
  })
  t.equal(asked.statusCode, 502)
  t.same(Object.keys(asked.json()).sort(), ['code', 'error', 'message', 'statusCode'], 'neither cause nor channel in the answer')
  t.equal(asked.json().code, 'DELIVERY_FAILED')
})

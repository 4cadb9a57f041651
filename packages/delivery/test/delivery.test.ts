import { readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { createEmailSender, type DeliveryConfig, DeliveryUnconfirmedError, developmentSender, type Message, withTimeout } from '../index.ts'
import { startTestSmtpServer } from '../testing.ts'

const message: Message = {
  channel: 'email',
  to: 'victim@example.com',
  subject: 'Your code',
  text: 'Your code is 123456',
  record: { purpose: 'login', code: '123456' },
}
const silent = { info() {} }
const config = (overrides: Partial<DeliveryConfig> = {}): DeliveryConfig => ({
  NODE_ENV: 'test',
  EMAIL_PROVIDER: 'console',
  MAIL_FROM: 'codes@suite.test',
  OTP_ALLOW_DEV_DELIVERY: false,
  OTP_OUTBOX_FILE: '',
  OTP_DELIVERY_TIMEOUT_MS: 2000,
  ...overrides,
})

t.test('SMTP delivers to exactly the one address it is given', async (t) => {
  const smtp = await startTestSmtpServer()
  t.teardown(smtp.close)
  const sender = createEmailSender(config({ EMAIL_PROVIDER: 'smtp', SMTP_URL: smtp.url }), silent)
  t.teardown(() => sender.close?.())
  await sender.send(message)
  t.equal(smtp.messages.length, 1)
  const [mail] = smtp.messages
  t.same(mail?.to, ['victim@example.com'])
  t.equal(mail?.from, 'codes@suite.test')
  t.match(mail?.body, /^To: victim@example\.com\r$/m, 'no display name in the header')
  t.match(mail?.body, /Subject: Your code/)
  t.match(mail?.body, /Your code is 123456/)

  // Should a caller ever pass something list-like, nodemailer is never asked to parse it.
  await t.rejects(sender.send({ ...message, to: 'x <other@example.com>, victim@example.com' }))
  t.equal(smtp.messages.length, 1, 'nothing went to a parsed address')
})

t.test('SMTP refusing or down rejects the send', async (t) => {
  const refusing = await startTestSmtpServer({ refuse: true })
  t.teardown(refusing.close)
  await t.rejects(createEmailSender(config({ EMAIL_PROVIDER: 'smtp', SMTP_URL: refusing.url }), silent).send(message))
  await t.rejects(createEmailSender(config({ EMAIL_PROVIDER: 'smtp', SMTP_URL: 'smtp://127.0.0.1:1' }), silent).send(message))
  t.throws(() => createEmailSender(config({ EMAIL_PROVIDER: 'smtp' }), silent), /SMTP_URL/)
})

t.test('the outbox appends one JSON line per message with its record', async (t) => {
  const file = join(t.testdir(), 'nested', 'outbox.jsonl')
  const sender = developmentSender('outbox', config({ OTP_OUTBOX_FILE: file }), silent)
  await Promise.all([
    sender.send(message),
    sender.send({ ...message, to: 'b@example.com', record: { purpose: 'verify_email', link: 'https://x/y' } }),
  ])
  await sender.close?.()
  const lines = (await readFile(file, 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line))
  t.match(lines, [
    { channel: 'email', to: 'victim@example.com', purpose: 'login', code: '123456', at: String },
    { channel: 'email', to: 'b@example.com', purpose: 'verify_email', link: 'https://x/y' },
  ])
})

t.test('a send the outbox cannot take fails, and the next one is written once it can', async (t) => {
  const dir = t.testdir({ blocked: 'a file where the outbox folder should be' })
  const sender = developmentSender('outbox', config({ OTP_OUTBOX_FILE: join(dir, 'blocked', 'outbox.jsonl') }), silent)
  await t.rejects(sender.send(message), { code: 'EEXIST' })
  await rm(join(dir, 'blocked'))
  await sender.send(message)
  await sender.close?.()
  t.match(JSON.parse(await readFile(join(dir, 'blocked', 'outbox.jsonl'), 'utf8')), { to: 'victim@example.com', code: '123456' })
  await t.rejects(sender.send(message), /closed/, 'nothing is written after close')

  // /dev/full opens and refuses every write.
  const full = developmentSender('outbox', config({ OTP_OUTBOX_FILE: '/dev/full' }), silent)
  await t.rejects(full.send(message), { code: 'ENOSPC' })
  await t.rejects(full.send(message), { code: 'ENOSPC' }, 'and the next send too')
  await full.close?.()
})

t.test('the console delivery logs the message', async (t) => {
  const logged: object[] = []
  await developmentSender('console', config(), { info: (fields) => logged.push(fields) }).send(message)
  t.match(logged, [{ delivery: 'console', to: 'victim@example.com', code: '123456' }])
})

t.test('development delivery is refused in production unless allowed', async (t) => {
  t.throws(() => createEmailSender(config({ NODE_ENV: 'production' }), silent), /OTP_ALLOW_DEV_DELIVERY/)
  t.ok(createEmailSender(config({ NODE_ENV: 'production', OTP_ALLOW_DEV_DELIVERY: true }), silent))
})

t.test('a stalled provider fails at its timeout', async (t) => {
  const stalled = withTimeout({ send: () => new Promise<void>(() => {}) }, 50, 'stalled provider')
  const started = Date.now()
  await t.rejects(stalled.send(message), new DeliveryUnconfirmedError('stalled provider did not answer within 50 ms'))
  t.ok(Date.now() - started < 1000)
})

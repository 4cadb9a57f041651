import { once } from 'node:events'
import { listening, spawnServer } from '@otp-suite/testing'
import t, { type Test } from 'tap'
import { type OtpEnv, productionEnv, testDatabase, testEnv } from './helpers.ts'

const database = await testDatabase(t)

/** The real server process, as `pnpm start` runs it (from source), with its log lines kept. */
async function startServer(t: Test, env: OtpEnv) {
  const server = spawnServer(new URL('..', import.meta.url).pathname, { ...process.env, ...env })
  t.teardown(() => server.kill('SIGKILL'))
  const { ready, output } = listening(server, 'otp-service')
  const address = await ready
  return {
    address,
    output,
    /** SIGTERM; resolves with the exit code. */
    async stop() {
      server.kill('SIGTERM')
      const [code] = await once(server, 'exit')
      return code as number
    },
  }
}

t.test('the server listens, answers, and shuts down cleanly on SIGTERM', async (t) => {
  const server = await startServer(t, testEnv(database.url, { PORT: '0', LOG_LEVEL: 'info' }))
  const ready = await fetch(`${server.address}/health/ready`)
  t.equal(ready.status, 200)
  t.ok(ready.headers.get('x-request-id'))

  const started = Date.now()
  t.equal(await server.stop(), 0, 'exits with success')
  t.ok(Date.now() - started < 5000, 'promptly')
  t.match(server.output(), /"signal":"SIGTERM".*"msg":"closing"/, 'says why it closes')
})

t.test('in production: test codes announced by their number only; a failed delivery logged with its request id', async (t) => {
  const env = testEnv(database.url, {
    PORT: '0',
    LOG_LEVEL: 'info',
    ...productionEnv,
    OTP_TEST_CODES: '+15550000001:123456,review@example.com:654321',
    OTP_ALLOW_TEST_CODES: 'true',
    EMAIL_PROVIDER: 'smtp',
    SMTP_URL: 'smtp://127.0.0.1:1',
  })
  const server = await startServer(t, env)
  const failed = await fetch(`${server.address}/api/v1/otp/send`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-request-id': 'delivery-check-1' },
    body: JSON.stringify({ channel: 'email', to: 'someone@example.com', purpose: 'login' }),
  })
  t.equal(failed.status, 502)
  t.same(
    await failed.json(),
    { statusCode: 502, code: 'DELIVERY_FAILED', error: 'Bad Gateway', message: 'The code could not be delivered' },
    'no cause in the answer',
  )
  await server.stop()
  const lines = server
    .output()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line))
  t.match(
    lines.find((line) => /test codes/.test(line.msg)),
    { level: 40, testDestinations: 2 },
  )
  t.notMatch(server.output(), /123456|654321/, 'no test code is ever logged')
  const failures = lines.filter((line) => line.requestId === 'delivery-check-1' && line.level >= 40)
  t.equal(failures.length, 1, 'logged once')
  t.match(failures[0], { level: 40, code: 'DELIVERY_FAILED', statusCode: 502, err: { channel: 'email', message: /ECONNREFUSED/ } })
})

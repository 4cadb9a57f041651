import { createTcpProxy } from '@otp-suite/db/testing'
import t from 'tap'
import { buildOtpService, lastCode, post, testDatabase, testEnv } from './helpers.ts'

const database = await testDatabase(t)

t.test('database down: fast 503 and not ready; back: recovers by itself', async (t) => {
  const proxy = await createTcpProxy(database.url)
  t.teardown(() => proxy.close())
  const env = testEnv(proxy.url)
  const app = await buildOtpService(t, env)
  const send = (to: string) => post(app, 'send', { channel: 'sms', to, purpose: 'login' })

  t.equal((await send('+14155557001')).statusCode, 202)
  t.equal((await app.inject({ method: 'GET', url: '/health/ready' })).statusCode, 200)

  await proxy.stop()
  const started = Date.now()
  const down = await send('+14155557002')
  t.equal(down.statusCode, 503)
  t.match(down.json(), { code: 'SERVICE_UNAVAILABLE', message: String })
  t.notMatch(down.body, /ECONNREFUSED|127\.0\.0\.1/, 'no internals leak')
  const verifyDown = await post(app, 'verify', { channel: 'sms', to: '+14155557001', purpose: 'login', code: '123456' })
  t.equal(verifyDown.statusCode, 503)
  t.ok(Date.now() - started < 5000, 'fails fast')
  const notReady = await app.inject({ method: 'GET', url: '/health/ready' })
  t.equal(notReady.statusCode, 503)
  t.match(notReady.json(), { status: 'down', service: 'otp-service', checks: { database: { status: 'down' } } })
  t.equal((await app.inject({ method: 'GET', url: '/health/live' })).statusCode, 200, 'the process itself is alive')

  await proxy.start()
  const ready = await app.inject({ method: 'GET', url: '/health' })
  t.equal(ready.statusCode, 200)
  t.match(ready.json(), { status: 'ok', checks: { database: { status: 'up', latencyMs: Number } } })
  t.equal((await send('+14155557003')).statusCode, 202, 'sends work again')
  const code = await lastCode(env, '+14155557001')
  const verified = await post(app, 'verify', { channel: 'sms', to: '+14155557001', purpose: 'login', code })
  t.equal(verified.statusCode, 200, 'a code sent before the outage still verifies')
})

import { createTcpProxy } from '@otp-suite/db/testing'
import { until } from '@otp-suite/testing'
import pg from 'pg'
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

t.test('a wedged database: a request queued behind a stuck batch gets a fast 503 and is never sent', async (t) => {
  const env = testEnv(database.url, { DATABASE_STATEMENT_TIMEOUT_MS: '5000', DATABASE_BATCH_WAIT_MS: '300' })
  const app = await buildOtpService(t, env)
  const [stuck, queued] = ['+14155557011', '+14155557012']
  for (const to of [stuck, queued]) t.equal((await post(app, 'send', { channel: 'sms', to, purpose: 'login' })).statusCode, 202)
  const verify = async (to: string, code?: string) =>
    post(app, 'verify', { channel: 'sms', to, purpose: 'login', code: code ?? (await lastCode(env, to)) })

  // Another transaction holds the first code's row, so the verify batch that takes it waits.
  const holder = new pg.Client({ connectionString: database.url })
  await holder.connect()
  t.teardown(() => holder.end())
  await holder.query('BEGIN')
  await holder.query('SELECT 1 FROM otp_codes WHERE destination = $1 FOR UPDATE', [stuck])
  const first = verify(stuck)
  const waitingOnLock = async () =>
    (await database.query(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`)).length > 0
  t.ok(await until(waitingOnLock, 5_000), 'the first verify batch is stuck at the database')

  const started = Date.now()
  const second = await verify(queued, '000000')
  const waitedMs = Date.now() - started
  t.equal(second.statusCode, 503)
  t.match(second.json(), { code: 'SERVICE_UNAVAILABLE' })
  t.ok(waitedMs < 2_000, `answered in ${waitedMs} ms, not after the stuck batch`)

  await holder.query('ROLLBACK')
  t.equal((await first).statusCode, 200, 'the stuck verify went through once the row was free')
  // Verifies of one code run one after the other: had the refused guess been sent, it would count here.
  const again = await verify(queued, '000000')
  t.match(again.json(), { code: 'OTP_INVALID', attemptsLeft: 4 }, 'the refused guess was never sent: one wrong guess counted, not two')
  t.equal((await verify(queued)).statusCode, 200, 'the code the refused request named still verifies')
})

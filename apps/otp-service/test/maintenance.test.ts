import { createTokenService } from '@otp-suite/jwt'
import t from 'tap'
import { createMaintenance } from '../src/otp/maintenance.ts'
import { createDatabase } from '../src/plugins/database.ts'
import { buildOtpService, jwtSecret, lastCode, testDatabase, testEnv } from './helpers.ts'

const database = await testDatabase(t)
const serviceToken = createTokenService({ secret: jwtSecret }).sign('service', { sub: 'admin-service' }).token

t.test('stats: behind a service token, counting every outcome', async (t) => {
  const env = await testEnv(database.url, { OTP_RESEND_COOLDOWN_SECONDS: '0', OTP_MAX_ATTEMPTS: '1' })
  const app = await buildOtpService(t, env)
  const target = { channel: 'sms', to: '+14155558001', purpose: 'login' }
  const send = () => app.inject({ method: 'POST', url: '/api/v1/otp/send', payload: target })
  const verify = (code: string) => app.inject({ method: 'POST', url: '/api/v1/otp/verify', payload: { ...target, code } })

  await send()
  await verify(await lastCode(env, target.to))
  await send()
  const code = await lastCode(env, target.to)
  await verify(code === '000000' ? '111111' : '000000')
  await verify(code)

  t.equal((await app.inject({ method: 'GET', url: '/internal/v1/stats' })).statusCode, 401)
  const accessToken = createTokenService({ secret: jwtSecret }).sign('access', { sub: 'u1', role: 'admin', userType: 'live', sid: 's1' })
  const wrongKind = await app.inject({
    method: 'GET',
    url: '/internal/v1/stats',
    headers: { authorization: `Bearer ${accessToken.token}` },
  })
  t.equal(wrongKind.statusCode, 401, 'a user token is not a service token')

  const stats = await app.inject({ method: 'GET', url: '/internal/v1/stats', headers: { authorization: `Bearer ${serviceToken}` } })
  t.equal(stats.statusCode, 200)
  t.same(stats.json(), {
    sent: { last24h: 2, total: 2 },
    verified: { last24h: 1, total: 1 },
    failed: { last24h: 1, total: 1 },
    locked: { last24h: 1, total: 1 },
    expired: { last24h: 0, total: 0 },
  })
})

t.test('cleanup: deletes expired codes in batches, rolls up old events, safe on two instances at once', async (t) => {
  await database.query(`
    INSERT INTO otp_codes (channel, destination, purpose, user_type, code_hash, max_attempts, expires_at)
    SELECT 'email', 'old' || i || '@example.com', 'login', 'live', '\\x00', 5, now() - interval '1 minute'
    FROM generate_series(1, 25) i`)
  await database.query(`
    INSERT INTO otp_codes (channel, destination, purpose, user_type, code_hash, max_attempts, expires_at)
    VALUES ('email', 'fresh@example.com', 'login', 'live', '\\x00', 5, now() + interval '5 minutes')`)
  await database.query(`INSERT INTO otp_send_log (subject, sent_at) VALUES ('dest:email:old@example.com', now() - interval '2 days')`)
  await database.query(
    `INSERT INTO otp_events (kind, channel, at) SELECT 'sent', 'sms', now() - interval '3 days' FROM generate_series(1, 7)`,
  )

  const options = { batchSize: 4, failureWindowSeconds: 3600 }
  const instances = [createDatabase({ url: database.url, poolMax: 2 }), createDatabase({ url: database.url, poolMax: 2 })]
  t.teardown(() => Promise.all(instances.map((instance) => instance.close())))
  const handled = await Promise.all(instances.map((instance) => createMaintenance(instance.prisma, options).cleanUp()))

  t.equal(handled[0]!.expiredCodes + handled[1]!.expiredCodes, 25, 'each expired code deleted once, by one instance')
  t.equal(handled[0]!.rollUpEvents + handled[1]!.rollUpEvents, 7)
  t.same(await database.query("SELECT destination FROM otp_codes WHERE destination LIKE '%@example.com'"), [
    { destination: 'fresh@example.com' },
  ])
  t.same(await database.query("SELECT subject FROM otp_send_log WHERE sent_at < now() - interval '1 day'"), [])
  const [daily] = await database.query<{ n: number }>("SELECT sum(count)::int AS n FROM otp_stats_daily WHERE kind = 'sent'")
  t.equal(daily?.n, 7, 'old events survive as daily totals')

  const stats = await createMaintenance(instances[0]!.prisma, options).stats()
  t.same(stats.sent, { last24h: 2, total: 9 })
  t.same(stats.expired, { last24h: 25, total: 25 })
})

t.test('the scheduled cleanup runs by itself', async (t) => {
  await database.query(`
    INSERT INTO otp_codes (channel, destination, purpose, user_type, code_hash, max_attempts, expires_at)
    VALUES ('email', 'stale@example.com', 'login', 'live', '\\x00', 5, now() - interval '1 second')`)
  await buildOtpService(t, await testEnv(database.url, { OTP_CLEANUP_INTERVAL_SECONDS: '1' }))
  await new Promise((resolve) => setTimeout(resolve, 1500))
  t.same(await database.query("SELECT id FROM otp_codes WHERE destination = 'stale@example.com'"), [])
})

import { createTokenService } from '@otp-suite/jwt'
import t from 'tap'
import { createMaintenance } from '../src/otp/maintenance.ts'
import { buildOtpService, connectDatabase, jwtSecret, lastCode, post, testDatabase, testEnv } from './helpers.ts'

const database = await testDatabase(t)
const serviceToken = createTokenService({ secret: jwtSecret }).sign('service', { sub: 'admin-service' }).token

t.test('stats: behind a service token, counting every outcome', async (t) => {
  const env = testEnv(database.url, { OTP_RESEND_COOLDOWN_SECONDS: '0', OTP_MAX_ATTEMPTS: '1' })
  const app = await buildOtpService(t, env)
  const target = { channel: 'sms', to: '+14155558001', purpose: 'login' }
  const send = () => post(app, 'send', target)
  const verify = (code: string) => post(app, 'verify', { ...target, code })

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

t.test('series: every hour of the last 24 and every day of the last 30, empty ones as zeros', async (t) => {
  const own = await testDatabase(t)
  const app = await buildOtpService(t, testEnv(own.url))
  await own.query(`
    INSERT INTO otp_stats (bucket, kind, channel, count) VALUES
      (date_trunc('minute', now()), 'sent', 'sms', 2),
      (date_trunc('minute', now()), 'failed', 'sms', 1),
      (date_trunc('hour', now(), 'UTC') - interval '5 hours' + interval '7 minutes', 'sent', 'sms', 4),
      (date_trunc('hour', now(), 'UTC') - interval '5 hours' + interval '9 minutes', 'sent', 'email', 2),
      (date_trunc('hour', now(), 'UTC') - interval '30 hours', 'verified', 'sms', 3),
      (date_trunc('day', now(), 'UTC') - interval '40 days', 'sent', 'sms', 100)`)
  const series = async (range?: string) => {
    const reply = await app.inject({
      method: 'GET',
      url: `/internal/v1/stats/series${range ? `?range=${range}` : ''}`,
      headers: { authorization: `Bearer ${serviceToken}` },
    })
    return reply.json()
  }
  const hours = await series()
  t.equal(hours.interval, 'hour')
  t.equal(hours.points.length, 24)
  const hourStart = (ago: number) => new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 - ago * 3_600_000).toISOString()
  t.equal(hours.points.at(-1).start, hourStart(0), 'the current hour last')
  t.same(hours.points.at(-6), { start: hourStart(5), sent: 6, verified: 0, failed: 0, locked: 0, expired: 0 }, 'both channels, added')
  t.same(hours.points.at(-1), { start: hourStart(0), sent: 2, verified: 0, failed: 1, locked: 0, expired: 0 }, 'this hour so far')
  t.equal(
    hours.points.reduce((sum: number, point: { verified: number }) => sum + point.verified, 0),
    0,
    'what is older than 24 hours is not in',
  )
  const days = await series('30d')
  t.equal(days.interval, 'day')
  t.equal(days.points.length, 30)
  t.equal(
    days.points.reduce((sum: number, point: { sent: number }) => sum + point.sent, 0),
    8,
    'the last 30 days, the 40-day-old day left out',
  )
  t.equal(
    (await app.inject({ method: 'GET', url: '/internal/v1/stats/series?range=1y', headers: { authorization: `Bearer ${serviceToken}` } }))
      .statusCode,
    400,
  )
})

t.test('cleanup: expired codes, idle rows, past country hours, old minutes; safe on two instances at once', async (t) => {
  const insertCodes = (sql: string) =>
    database.query(`
      INSERT INTO otp_codes (channel, destination, purpose, user_type, code_hash, max_attempts, expires_at)
      ${sql}`)
  await insertCodes(`SELECT 'email', 'old' || i || '@example.com', 'login', 'live', '\\x00', 5, now() - interval '1 minute'
    FROM generate_series(1, 25) i`)
  await insertCodes(`VALUES ('email', 'fresh@example.com', 'login', 'live', '\\x00', 5, now() + interval '5 minutes')`)
  // Long idle: one used, one that expired unused while housekeeping was not running.
  await insertCodes(`VALUES ('email', 'idle@example.com', 'login', 'live', NULL, 5, now() - interval '2 days'),
    ('email', 'forgotten@example.com', 'login', 'live', '\\x00', 5, now() - interval '2 days')`)
  await database.query(`
    INSERT INTO otp_client_ips (ip, sent_at, updated_at) VALUES
      ('198.51.100.1', ARRAY[now() - interval '2 hours'], now() - interval '2 hours'),
      ('198.51.100.2', ARRAY[now()], now())`)
  await database.query(`
    INSERT INTO otp_country_sends (calling_code, hour_start, count) VALUES
      ('44', date_trunc('hour', now()), 3), ('44', date_trunc('hour', now()) - interval '2 hours', 9)`)
  await database.query(`
    INSERT INTO otp_stats (bucket, kind, channel, count)
    SELECT date_trunc('day', now() - interval '3 days', 'UTC') + make_interval(mins => i), 'sent', 'sms', i
    FROM generate_series(1, 7) i`)

  const options = { batchSize: 4, clientWindowSeconds: 3600 }
  const instances = [connectDatabase(t, database.url), connectDatabase(t, database.url)]
  const handled = await Promise.all(instances.map((instance) => createMaintenance(instance, options).cleanUp()))
  const total = (step: keyof (typeof handled)[0]) => handled[0]![step] + handled[1]![step]

  t.equal(total('expiredCodes'), 25, 'each expired code withdrawn once, by one instance')
  const live = await database.query("SELECT destination FROM otp_codes WHERE destination LIKE '%@example.com' AND code_hash IS NOT NULL")
  t.same(live, [{ destination: 'fresh@example.com' }])
  t.equal(total('idleRows'), 2)
  t.same(
    await database.query("SELECT destination FROM otp_codes WHERE destination IN ('idle@example.com', 'forgotten@example.com')"),
    [],
    'rows whose history no limit needs any more go',
  )
  const [kept] = await database.query<{ n: number }>("SELECT count(*)::int AS n FROM otp_codes WHERE destination LIKE 'old%'")
  t.equal(kept?.n, 25, "an expired code's row stays while its sends still count for the limits")
  t.equal(total('idleClientIps'), 1)
  t.same(await database.query("SELECT ip FROM otp_client_ips WHERE ip LIKE '198.51.100.%'"), [{ ip: '198.51.100.2' }])
  t.equal(total('pastCountryHours'), 1)
  t.same(await database.query('SELECT count FROM otp_country_sends'), [{ count: 3 }], "only the current hour's budget is kept")
  t.equal(total('foldOldMinutes'), 7)
  t.same(
    await database.query<{ count: string }>("SELECT count FROM otp_stats WHERE bucket < now() - interval '2 days'"),
    [{ count: '28' }],
    'old minutes survive as one daily total',
  )

  const stats = await createMaintenance(instances[0]!, options).stats()
  t.same(stats.sent, { last24h: 2, total: 30 })
  t.same(stats.expired, { last24h: 26, total: 26 }, 'the forgotten code is counted as it goes')
})

t.test('the scheduled cleanup runs by itself', async (t) => {
  await database.query(`
    INSERT INTO otp_codes (channel, destination, purpose, user_type, code_hash, max_attempts, expires_at)
    VALUES ('email', 'stale@example.com', 'login', 'live', '\\x00', 5, now() - interval '1 second')`)
  await buildOtpService(t, testEnv(database.url, { OTP_CLEANUP_INTERVAL_SECONDS: '1' }))
  const withdrawn = async () =>
    (await database.query<{ code_hash: Buffer | null }>("SELECT code_hash FROM otp_codes WHERE destination = 'stale@example.com'"))[0]
      ?.code_hash === null
  // A busy machine may start the one-second job late: wait for it, a few seconds at most.
  for (let waited = 0; waited < 5000 && !(await withdrawn()); waited += 250) await new Promise((resolve) => setTimeout(resolve, 250))
  t.ok(await withdrawn(), 'the expired code was withdrawn without anyone asking')
})

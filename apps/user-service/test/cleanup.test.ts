import t from 'tap'
import { buildUserService, login, testDatabase, testEnv } from './helpers.ts'

const database = await testDatabase(t)

t.test('the scheduled cleanup deletes what no check needs, and keeps what one does', async (t) => {
  const setup = await buildUserService(t, testEnv(database.url))
  const kept = await login(setup, { sub: 'kept@example.com' })
  const gone = await login(setup, { sub: 'gone@example.com' })
  await database.query(`
    INSERT INTO blacklisted_tokens (token_hash, expires_at) VALUES ('\\x01', now() - interval '2 hours'), ('\\x02', now() - interval '10 minutes');
    INSERT INTO spent_tokens (jti, kind, expires_at) VALUES ('old', 'otp_proof', now() - interval '2 hours'), ('new', 'otp_proof', now() - interval '1 minute');
    UPDATE sessions SET ended_at = now() - interval '2 days' WHERE user_id = '${gone.user.id}';
    INSERT INTO refresh_tokens (token_hash, session_id, expires_at)
    SELECT hash, s.id, now() - age FROM sessions s, (VALUES ('\\x0a'::bytea, interval '2 hours'), ('\\x0b', interval '10 minutes')) r(hash, age)
    WHERE s.user_id = '${kept.user.id}';
    INSERT INTO user_stats (bucket, kind, channel, count)
    SELECT date_trunc('day', now() - interval '3 days', 'UTC') + make_interval(mins => i), 'signIn', 'phone', i FROM generate_series(1, 4) i
    UNION ALL SELECT date_trunc('minute', now()) - interval '1 hour', 'signIn', 'phone', 1;`)

  // Two instances sweep at once, every second: each row goes once, whoever takes it.
  await buildUserService(t, testEnv(database.url, { USER_CLEANUP_INTERVAL_SECONDS: '1' }))
  await buildUserService(t, testEnv(database.url, { USER_CLEANUP_INTERVAL_SECONDS: '1' }))
  // A busy machine may start the one-second job late: wait for the sessions to go, a few seconds at most.
  const swept = async () => (await database.query('SELECT id FROM sessions')).length === 1
  for (let waited = 0; waited < 5000 && !(await swept()); waited += 250) await new Promise((resolve) => setTimeout(resolve, 250))

  t.same(await database.query("SELECT encode(token_hash, 'hex') AS hash FROM blacklisted_tokens"), [{ hash: '02' }])
  const spent = await database.query<{ jti: string }>("SELECT jti FROM spent_tokens WHERE jti IN ('old', 'new')")
  t.same(spent, [{ jti: 'new' }], 'spent tokens an hour past their expiry go; a token just expired stays spent (clock leeway, skew)')
  const sessions = await database.query<{ user_id: string }>('SELECT user_id FROM sessions')
  t.same(
    sessions.map((row) => row.user_id),
    [kept.user.id],
    'a session ended two days ago goes, a live one stays',
  )
  t.same(
    await database.query(
      `SELECT encode(token_hash, 'hex') AS hash FROM refresh_tokens r JOIN sessions s ON s.id = r.session_id
       WHERE s.user_id = '${kept.user.id}' AND length(token_hash) = 1`,
    ),
    [{ hash: '0b' }],
    "a live session's refresh token an hour past its expiry goes, one just expired stays",
  )
  t.same(
    await database.query(
      `SELECT count(*)::int AS n FROM refresh_tokens r JOIN sessions s ON s.id = r.session_id WHERE s.user_id = '${kept.user.id}'`,
    ),
    [{ n: 2 }],
    'and its current one stays',
  )
  t.same(
    await database.query('SELECT count(*)::int AS n FROM refresh_tokens r LEFT JOIN sessions s ON s.id = r.session_id WHERE s.id IS NULL'),
    [{ n: 0 }],
    'with its refresh tokens',
  )
  t.same(
    await database.query("SELECT count::int FROM user_stats WHERE channel = 'phone' ORDER BY bucket"),
    [{ count: 10 }, { count: 1 }],
    'sign-in counts older than two days folded into their day, recent minutes kept',
  )
})

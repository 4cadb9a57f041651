import pg from 'pg'
import t from 'tap'
import { bearer, buildUserService, login, proofFor, testDatabase, testEnv, tokens } from './helpers.ts'

const database = await testDatabase(t)
const count = (statuses: number[], status: number) => statuses.filter((value) => value === status).length

/** Two instances on one database, as behind the gateway. */
async function twoInstances(t: Parameters<typeof buildUserService>[0], overrides = {}) {
  const env = testEnv(database.url, overrides)
  return [await buildUserService(t, env), await buildUserService(t, env)] as const
}

t.test('a proof signs in once, on any instance; the first sign-in makes the user', async (t) => {
  const [a, b] = await twoInstances(t)
  const proof = proofFor({ sub: '+14155550100' })
  const first = await a.inject({ method: 'POST', url: '/api/v1/auth/otp/login', payload: { proof } })
  t.equal(first.statusCode, 200)
  t.match(first.json(), {
    accessToken: String,
    refreshToken: String,
    tokenType: 'Bearer',
    expiresIn: 900,
    user: { phone: '+14155550100', phoneVerified: true, email: null, userType: 'live', role: 'user', status: 'active' },
  })
  const replay = await b.inject({ method: 'POST', url: '/api/v1/auth/otp/login', payload: { proof } })
  t.equal(replay.statusCode, 401)
  t.equal(replay.json().code, 'PROOF_INVALID', 'the same proof on the other instance is spent')

  const again = await login(b, { sub: '+14155550100' })
  t.equal(again.user.id, first.json().user.id, 'a new proof for the same phone signs in to the same user')
  const demo = await login(b, { sub: '+14155550100', userType: 'demo' })
  t.not(demo.user.id, again.user.id, 'a demo proof never signs in to the live account')
})

t.test('concurrent first sign-ins of one new destination make one user', async (t) => {
  const [a, b] = await twoInstances(t)
  const replies = await Promise.all(
    Array.from({ length: 10 }, (_, i) =>
      (i % 2 ? a : b).inject({ method: 'POST', url: '/api/v1/auth/otp/login', payload: { proof: proofFor({ sub: 'race@example.com' }) } }),
    ),
  )
  t.same(
    replies.map((reply) => reply.statusCode),
    Array(10).fill(200),
  )
  t.equal(new Set(replies.map((reply) => reply.json().user.id)).size, 1)
  t.same(await database.query("SELECT count(*)::int AS n FROM users WHERE email = 'race@example.com'"), [{ n: 1 }])
})

/** Sign-ins sent at the same moment, so in one batch. */
const signInAll = (app: Parameters<typeof login>[0], proofs: string[]) =>
  Promise.all(proofs.map((proof) => app.inject({ method: 'POST', url: '/api/v1/auth/otp/login', payload: { proof } })))

t.test('sign-ins at the same moment (so in one statement) each get their own answer', async (t) => {
  const [app] = await twoInstances(t)
  const known = await login(app, { sub: '+14155550300' })
  const banned = await login(app, { sub: '+14155550301' })
  await database.query("UPDATE users SET status = 'banned' WHERE id = $1", [banned.user.id])
  const spentBefore = proofFor({ sub: '+14155550300' })
  t.equal((await signInAll(app, [spentBefore]))[0]?.statusCode, 200)
  const twice = proofFor({ sub: '+14155550300' })
  const replies = await signInAll(app, [
    twice,
    twice,
    spentBefore,
    proofFor({ sub: '+14155550301' }),
    proofFor({ sub: '+14155550302' }),
    proofFor({ sub: '+14155550302' }),
    proofFor({ sub: '+14155550300', userType: 'demo' }),
    proofFor({ sub: 'batch@example.com' }),
  ])
  t.same(
    replies.map((reply) => reply.json().code ?? reply.statusCode),
    [200, 'PROOF_INVALID', 'PROOF_INVALID', 'USER_BANNED', 200, 200, 200, 200],
    'a proof twice in the batch, a spent proof and a banned user are refused; the others sign in',
  )
  const users = replies.map((reply) => reply.json().user)
  t.equal(users[0].id, known.user.id, 'a known destination signs in to its user')
  t.equal(users[4].id, users[5].id, 'one new destination twice in a batch makes one user')
  t.match(users[6], { phone: '+14155550300', userType: 'demo' })
  t.not(users[6].id, known.user.id, 'a demo proof in the same batch as a live one gets the demo user')
  t.match(users[7], { email: 'batch@example.com', emailVerified: true, phone: null })
  for (const reply of [replies[0], replies[4], replies[5], replies[6], replies[7]]) {
    const me = await app.inject({ method: 'GET', url: '/api/v1/users/me', headers: bearer(reply!.json().accessToken) })
    t.equal(me.json().id, reply!.json().user.id, "each session is its own user's")
  }
  t.same(
    await database.query('SELECT count(*)::int AS n FROM sessions WHERE user_id = $1', [banned.user.id]),
    [{ n: 1 }],
    'no session for the banned user',
  )
  t.same(await database.query("SELECT count(*)::int AS n FROM users WHERE phone = '+14155550302'"), [{ n: 1 }])
})

t.test('a value the database cannot store is refused alone, not with the sign-ins batched with it', async (t) => {
  const [app] = await twoInstances(t)
  const replies = await signInAll(app, [proofFor({ sub: `+1${'4'.repeat(20)}` }), proofFor({ sub: '+14155550303' })])
  t.same(
    replies.map((reply) => reply.json().code ?? reply.statusCode),
    ['PROOF_INVALID', 200],
  )
})

t.test('a phone batch and an email batch that lock two users in opposite orders both sign in', async (t) => {
  const [app] = await twoInstances(t)
  // One user's email sorts last, the other's first: the phone batch takes first then second, the email batch second then first.
  const first = await login(app, { sub: '+14155550310' })
  const second = await login(app, { sub: '+14155550311' })
  await database.query("UPDATE users SET email = 'zz@example.com' WHERE id = $1", [first.user.id])
  await database.query("UPDATE users SET email = 'aa@example.com' WHERE id = $1", [second.user.id])
  const holder = new pg.Client({ connectionString: database.url })
  await holder.connect()
  t.teardown(() => holder.end())
  await holder.query('BEGIN')
  await holder.query('SELECT 1 FROM users WHERE id = $1 FOR UPDATE', [first.user.id])
  // Statements of this test's database (other test files share the server) waiting for a lock.
  const waitingOnLocks = async (count: number) => {
    const waiting = "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
    while ((await database.query<{ n: number }>(waiting))[0]?.n !== count) await new Promise((resolve) => setTimeout(resolve, 20))
  }
  const signIn = (subs: string[]) =>
    signInAll(
      app,
      subs.map((sub) => proofFor({ sub })),
    )
  // The phone batch waits for the first user; the email batch takes the second, then queues for the first behind it.
  const phones = signIn(['+14155550310', '+14155550311'])
  await waitingOnLocks(1)
  const emails = signIn(['zz@example.com', 'aa@example.com'])
  await waitingOnLocks(2)
  await holder.query('COMMIT')
  const replies = [...(await phones), ...(await emails)]
  t.same(
    replies.map((reply) => reply.statusCode),
    [200, 200, 200, 200],
  )
  t.same(
    replies.map((reply) => reply.json().user?.id),
    [first.user.id, second.user.id, first.user.id, second.user.id],
  )
})

t.test('only an access token opens /me: a proof, a refresh, an email link or a service token does not', async (t) => {
  const [app] = await twoInstances(t)
  const session = await login(app, { sub: 'kinds@example.com' })
  const me = (token: string) => app.inject({ method: 'GET', url: '/api/v1/users/me', headers: bearer(token) })
  t.equal((await me(session.accessToken)).statusCode, 200)
  for (const token of [
    session.refreshToken,
    proofFor({ sub: 'kinds@example.com' }),
    tokens.sign('email_verify', { sub: session.user.id, email: 'kinds@example.com' }).token,
    tokens.sign('service', { sub: 'x' }).token,
    'not-a-jwt',
  ]) {
    const reply = await me(token)
    t.equal(reply.statusCode, 401)
    t.equal(reply.json().code, 'TOKEN_INVALID')
  }
  t.equal((await app.inject({ method: 'GET', url: '/api/v1/users/me' })).statusCode, 401)
  const verifyPhone = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/otp/login',
    payload: { proof: proofFor({ sub: 'kinds@example.com', purpose: 'verify_email' }) },
  })
  t.equal(verifyPhone.json().code, 'PROOF_INVALID', 'a proof for another purpose does not sign in')
})

t.test('logout on one instance: the token is refused on the other at once', async (t) => {
  const [a, b] = await twoInstances(t)
  const session = await login(a, { sub: '+14155550101' })
  const other = await login(a, { sub: '+14155550101' })
  t.equal((await a.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: bearer(session.accessToken) })).statusCode, 204)
  const me = await b.inject({ method: 'GET', url: '/api/v1/users/me', headers: bearer(session.accessToken) })
  t.equal(me.statusCode, 401)
  t.equal(me.json().code, 'TOKEN_REVOKED')
  const refreshed = await b.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: session.refreshToken } })
  t.equal(refreshed.statusCode, 401, "the ended session's refresh token is dead too")
  t.equal(
    (await b.inject({ method: 'GET', url: '/api/v1/users/me', headers: bearer(other.accessToken) })).statusCode,
    200,
    'another session lives',
  )
  const [row] = await database.query<{ n: number }>('SELECT count(*)::int AS n FROM blacklisted_tokens WHERE expires_at > now()')
  t.ok((row?.n ?? 0) >= 1, 'the access token is blacklisted until it expires')
})

t.test('global logout ends every session of the user', async (t) => {
  const [a, b] = await twoInstances(t)
  const sessions = [await login(a, { sub: '+14155550102' }), await login(b, { sub: '+14155550102' })]
  const out = await b.inject({
    method: 'POST',
    url: '/api/v1/auth/logout',
    headers: bearer(sessions[0]!.accessToken),
    payload: { scope: 'global' },
  })
  t.equal(out.statusCode, 204)
  for (const session of sessions) {
    t.equal((await a.inject({ method: 'GET', url: '/api/v1/users/me', headers: bearer(session.accessToken) })).statusCode, 401)
  }
})

t.test('refresh rotates; a spent token used again later ends the session', async (t) => {
  const [a, b] = await twoInstances(t, { REFRESH_REUSE_GRACE_SECONDS: '0' })
  const session = await login(a, { sub: '+14155550103' })
  const refresh = (token: string, app = a) => app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: token } })
  const rotated = await refresh(session.refreshToken, b)
  t.equal(rotated.statusCode, 200)
  const pair = rotated.json()
  t.not(pair.refreshToken, session.refreshToken)
  t.equal((await a.inject({ method: 'GET', url: '/api/v1/users/me', headers: bearer(pair.accessToken) })).statusCode, 200)

  const stolen = await refresh(session.refreshToken)
  t.equal(stolen.statusCode, 401)
  t.equal(stolen.json().code, 'REFRESH_INVALID')
  t.equal((await refresh(pair.refreshToken)).statusCode, 401, 'reuse of a spent token ended the whole session')
  t.equal((await a.inject({ method: 'GET', url: '/api/v1/users/me', headers: bearer(pair.accessToken) })).statusCode, 401)
})

t.test('two concurrent refreshes with one token: one winner, and the session survives the race', async (t) => {
  const [a, b] = await twoInstances(t)
  const session = await login(a, { sub: '+14155550104' })
  const replies = await Promise.all(
    Array.from({ length: 6 }, (_, i) =>
      (i % 2 ? a : b).inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: session.refreshToken } }),
    ),
  )
  const statuses = replies.map((reply) => reply.statusCode)
  t.equal(count(statuses, 200), 1)
  t.equal(count(statuses, 401), 5)
  const winner = replies.find((reply) => reply.statusCode === 200)?.json()
  t.equal((await b.inject({ method: 'GET', url: '/api/v1/users/me', headers: bearer(winner.accessToken) })).statusCode, 200)
})

t.test('bootstrap admins get the role on first sign-in', async (t) => {
  const [app] = await twoInstances(t, { ADMIN_BOOTSTRAP: '(415) 555-0199, Ops@Example.com' })
  t.equal((await login(app, { sub: '+14155550199' })).user.role, 'admin')
  t.equal((await login(app, { sub: 'ops@example.com' })).user.role, 'admin')
  t.equal((await login(app, { sub: 'someone@example.com' })).user.role, 'user')
  const claims = tokens.verify('access', (await login(app, { sub: 'ops@example.com' })).accessToken)
  t.equal(claims.role, 'admin', 'the access token carries it')
})

t.test('tokens checked at the same moment (so in one batch) each get their own answer, a forged id among them', async (t) => {
  const [app] = await twoInstances(t)
  const live = await Promise.all(Array.from({ length: 5 }, (_, i) => login(app, { sub: `+141555502${10 + i}` })))
  const ended = await Promise.all(Array.from({ length: 5 }, (_, i) => login(app, { sub: `+141555502${20 + i}` })))
  for (const session of ended) await app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: bearer(session.accessToken) })
  const claims = tokens.verify('access', live[0]!.accessToken)
  const foreign = tokens.sign('access', { sub: 'not-a-uuid', sid: claims.sid, role: 'user', userType: 'live' }).token
  const mixed = [...live, ...ended].flatMap((session) => [session.accessToken]).concat(foreign)
  const replies = await Promise.all(mixed.map((token) => app.inject({ method: 'GET', url: '/api/v1/users/me', headers: bearer(token) })))
  t.same(
    replies.map((reply) => reply.statusCode),
    [...Array(5).fill(200), ...Array(6).fill(401)],
  )
  t.same(
    replies.slice(0, 5).map((reply) => reply.json().phone),
    live.map((session) => session.user.phone),
    'each live token got its own user',
  )
})

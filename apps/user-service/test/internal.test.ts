import t from 'tap'
import { INTROSPECT_BATCH_BODY_LIMIT } from '../src/schemas.ts'
import { bearer, buildUserService, login, serviceToken, testDatabase, testEnv, tokens } from './helpers.ts'

const database = await testDatabase(t)
const app = await buildUserService(t, testEnv(database.url))
const asService = { authorization: `Bearer ${serviceToken()}` }
const introspect = async (token: string) =>
  (await app.inject({ method: 'POST', url: '/internal/v1/tokens/introspect', headers: asService, payload: { token } })).json()

t.test('internal routes need a service token', async (t) => {
  const user = await login(app, { sub: 'internal@example.com' })
  for (const headers of [
    {},
    bearer(user.accessToken),
    bearer(tokens.sign('otp_proof', { sub: 'x@example.com', channel: 'email', purpose: 'login', userType: 'live' }).token),
  ]) {
    const reply = await app.inject({ method: 'GET', url: '/internal/v1/stats', headers })
    t.equal(reply.statusCode, 401)
  }
})

t.test('introspection: active, then expired, revoked, banned or ended', async (t) => {
  const live = await login(app, { sub: '+14155550200' })
  t.match(await introspect(live.accessToken), { active: true, sub: live.user.id, role: 'user', userType: 'live', jti: String, exp: Number })

  const claims = tokens.verify('access', live.accessToken)
  const expired = tokens.sign('access', { sub: claims.sub, sid: claims.sid, role: 'user', userType: 'live' }, { expiresIn: 1 })
  await new Promise((resolve) => setTimeout(resolve, 6500))
  t.same(await introspect(expired.token), { active: false }, 'expired (past the clock leeway)')
  t.same(await introspect('garbage'), { active: false })

  await app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: bearer(live.accessToken) })
  t.same(await introspect(live.accessToken), { active: false }, 'revoked by logout')

  const other = await login(app, { sub: '+14155550201' })
  const ban = await app.inject({
    method: 'PATCH',
    url: `/internal/v1/users/${other.user.id}`,
    headers: asService,
    payload: { status: 'banned' },
  })
  t.match(ban.json(), { id: other.user.id, status: 'banned' })
  t.same(await introspect(other.accessToken), { active: false }, 'banned: every session ended at once')
  const me = await app.inject({ method: 'GET', url: '/api/v1/users/me', headers: bearer(other.accessToken) })
  t.equal(me.json().code, 'TOKEN_REVOKED')
  const refresh = await app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: other.refreshToken } })
  t.equal(refresh.statusCode, 401)
  const again = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/otp/login',
    payload: { proof: tokens.sign('otp_proof', { sub: '+14155550201', channel: 'sms', purpose: 'login', userType: 'live' }).token },
  })
  t.equal(again.statusCode, 403)
  t.equal(again.json().code, 'USER_BANNED')

  await app.inject({ method: 'PATCH', url: `/internal/v1/users/${other.user.id}`, headers: asService, payload: { status: 'active' } })
  t.equal((await login(app, { sub: '+14155550201' })).user.status, 'active', 'unbanned: signs in again')
})

t.test('batch introspection: one answer per token, in order, each as the single route gives it', async (t) => {
  const batch = (payload: Record<string, unknown>, headers: Record<string, string> = asService) =>
    app.inject({ method: 'POST', url: '/internal/v1/tokens/introspect/batch', headers, payload })
  const live = await login(app, { sub: '+14155550210' })
  const admin = await login(app, { sub: '+14155550211' })
  await app.inject({ method: 'PATCH', url: `/internal/v1/users/${admin.user.id}`, headers: asService, payload: { role: 'admin' } })
  const promoted = await login(app, { sub: '+14155550211' })
  const out = await login(app, { sub: '+14155550212' })
  await app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: bearer(out.accessToken) })

  const tokensAsked = [out.accessToken, live.accessToken, 'garbage', promoted.accessToken, live.accessToken, live.refreshToken]
  const reply = await batch({ tokens: tokensAsked })
  t.equal(reply.statusCode, 200)
  const { results } = reply.json()
  t.same(results, await Promise.all(tokensAsked.map(introspect)), 'the same answers as one by one')
  t.match(results, [
    { active: false },
    { active: true, sub: live.user.id, role: 'user' },
    { active: false },
    { active: true, sub: admin.user.id, role: 'admin' },
    { active: true, sub: live.user.id },
    { active: false },
  ])
  t.same(results[0], { active: false }, 'a revoked token says nothing more')

  for (const [name, payload] of [
    ['no tokens', { tokens: [] }],
    ['more than 64', { tokens: Array.from({ length: 65 }, () => live.accessToken) }],
    ['a token longer than an access token can be', { tokens: [`${live.accessToken}${'x'.repeat(2048)}`] }],
    ['a token that is not a string', { tokens: [live.accessToken, 42] }],
    ['an empty token', { tokens: [''] }],
    ["the single route's body", { token: live.accessToken }],
  ] as const) {
    const refused = await batch(payload)
    t.equal(refused.statusCode, 400, name)
    t.equal(refused.json().code, 'VALIDATION_ERROR', name)
  }
  const longest = await batch({ tokens: Array.from({ length: 64 }, () => 'x'.repeat(2048)) })
  t.same(longest.json().results.length, 64, 'the most tokens at their longest fit the body limit')
  const padded = await app.inject({
    method: 'POST',
    url: '/internal/v1/tokens/introspect/batch',
    headers: { ...asService, 'content-type': 'application/json' },
    payload: `${JSON.stringify({ tokens: [live.accessToken] })}${' '.repeat(INTROSPECT_BATCH_BODY_LIMIT)}`,
  })
  t.equal(padded.statusCode, 413, 'a body over the limit is refused unread')
  t.equal((await batch({ tokens: [live.accessToken] }, bearer(live.accessToken))).statusCode, 401, 'a user token is not a service token')
  t.equal((await batch({ tokens: [] }, {})).statusCode, 401, 'without a service token, the body is not even looked at')
})

t.test('user list: cursor pages stay put while users are created; search and filters', async (t) => {
  const prefix = `page${Date.now()}`
  for (let i = 0; i < 5; i++) await login(app, { sub: `${prefix}-${i}@example.com` })
  const list = async (query: string) =>
    (await app.inject({ method: 'GET', url: `/internal/v1/users?${query}`, headers: asService })).json() as {
      items: { email: string }[]
      nextCursor: string | null
      total: number
    }
  const first = await list(`limit=2&q=${prefix}`)
  t.same(
    first.items.map((user) => user.email),
    [`${prefix}-4@example.com`, `${prefix}-3@example.com`],
  )
  t.equal(first.total, 5)
  await login(app, { sub: `${prefix}-new@example.com` })
  const second = await list(`limit=2&q=${prefix}&cursor=${first.nextCursor}`)
  t.same(
    second.items.map((user) => user.email),
    [`${prefix}-2@example.com`, `${prefix}-1@example.com`],
    'a user created meanwhile does not shift the next page',
  )
  const last = await list(`limit=2&q=${prefix}&cursor=${second.nextCursor}`)
  t.same(
    last.items.map((user) => user.email),
    [`${prefix}-0@example.com`],
  )
  t.equal(last.nextCursor, null)

  await login(app, { sub: `${prefix}-demo@example.com`, userType: 'demo' })
  t.equal((await list(`q=${prefix.toUpperCase()}&userType=demo`)).total, 1, 'search ignores case; filters by user type')
  t.equal((await list(`q=${prefix}&status=banned`)).total, 0)
  const forgedCursors = [
    '%%%',
    Buffer.from('{"id":"x","createdAt":"2020-01-01T00:00:00.000Z"}').toString('base64url'),
    Buffer.from('{"id":"00000000-0000-4000-8000-000000000000","createdAt":"2020-01-01 00:00"}').toString('base64url'),
  ]
  for (const cursor of forgedCursors) {
    const forged = await app.inject({ method: 'GET', url: `/internal/v1/users?cursor=${encodeURIComponent(cursor)}`, headers: asService })
    t.equal(forged.statusCode, 400, 'a cursor this service did not make is refused')
    t.equal(forged.json().code, 'VALIDATION_ERROR')
  }
  t.equal((await list(`q=${prefix}%25`)).total, 0, 'a LIKE wildcard in the search is a plain character')
  t.equal((await list('q=_')).total, 0)
})

t.test('user detail, role change and stats', async (t) => {
  const user = await login(app, { sub: 'detail@example.com' })
  const detail = await app.inject({ method: 'GET', url: `/internal/v1/users/${user.user.id}`, headers: asService })
  t.match(detail.json(), { id: user.user.id, email: 'detail@example.com', emailVerified: true, phone: null })
  const missing = await app.inject({ method: 'GET', url: '/internal/v1/users/00000000-0000-4000-8000-000000000000', headers: asService })
  t.equal(missing.statusCode, 404)
  t.equal(missing.json().code, 'USER_NOT_FOUND')
  t.equal((await app.inject({ method: 'GET', url: '/internal/v1/users/not-a-uuid', headers: asService })).statusCode, 400)
  const promoted = await app.inject({
    method: 'PATCH',
    url: `/internal/v1/users/${user.user.id}`,
    headers: asService,
    payload: { role: 'admin' },
  })
  t.equal(promoted.json().role, 'admin')
  const stats = (await app.inject({ method: 'GET', url: '/internal/v1/stats', headers: asService })).json()
  const [counts] = await database.query<{ total: number; banned: number }>(
    "SELECT count(*)::int AS total, count(*) FILTER (WHERE status = 'banned')::int AS banned FROM users",
  )
  const [logouts] = await database.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM sessions WHERE end_reason IN ('logout', 'logout_all')",
  )
  t.match(stats, {
    users: { total: counts?.total, banned: counts?.banned, live: Number, demo: Number, newLast24h: counts?.total },
    sessions: { active: Number, logoutsLast24h: logouts?.n },
  })

  const demoted = await app.inject({
    method: 'PATCH',
    url: `/internal/v1/users/${user.user.id}`,
    headers: asService,
    payload: { role: 'user' },
  })
  t.equal(demoted.json().role, 'user')
  t.same(await introspect(user.accessToken), { active: false }, 'losing the admin role ends the sessions that claimed it')
})

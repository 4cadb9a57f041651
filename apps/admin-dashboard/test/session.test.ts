import Fastify from 'fastify'
import t, { type Test } from 'tap'
import { sessionAttempt } from '../src/hooks.ts'
import { attempt, failureOf } from '../src/lib/failure.ts'
import { createSession, type SessionState } from '../src/lib/session.ts'

const user = (role: 'admin' | 'user') => ({
  id: '0b6f1f0e-3c1a-4e43-9d0c-5b8f6a2f4c11',
  phone: '+15551234567',
  phoneVerified: true,
  email: null,
  emailVerified: false,
  firstName: null,
  lastName: null,
  userType: 'live',
  role,
  status: 'active',
  createdAt: '2026-01-01T12:00:00.000Z',
  lastLoginAt: null,
})

/** The API's side of a session: tokens numbered as they are given out; only the newest access token is good. */
async function api(t: Test, { refresh = 200, metrics }: { refresh?: 200 | 401 | 503; metrics?: { status: number; code: string } } = {}) {
  const server = Fastify()
  let issued = 0
  let loggedOut = 0
  const seen: string[] = []
  const pair = () => {
    issued += 1
    return { accessToken: `access-${issued}`, refreshToken: `refresh-${issued}`, expiresIn: 900, tokenType: 'Bearer' }
  }
  server.post<{ Body: { proof: string } }>('/api/v1/auth/otp/login', async (request) => ({
    user: user(request.body.proof === 'admin-proof' ? 'admin' : 'user'),
    ...pair(),
  }))
  server.post('/api/v1/auth/refresh', async (_request, reply) => {
    if (refresh === 200) return pair()
    if (refresh === 401) return reply.code(401).send({ code: 'TOKEN_REVOKED', message: 'This token has been revoked' })
    return reply.code(503).send({ code: 'SERVICE_UNAVAILABLE', message: 'The database is not available' })
  })
  server.get('/api/v1/admin/dashboard/metrics', async (request, reply) => {
    seen.push(request.headers.authorization ?? '')
    if (metrics) return reply.code(metrics.status).send({ code: metrics.code, message: metrics.code })
    if (request.headers.authorization !== `Bearer access-${issued}`)
      return reply.code(401).send({ code: 'TOKEN_EXPIRED', message: 'The token has expired' })
    return { generatedAt: new Date().toISOString() }
  })
  server.post('/api/v1/auth/logout', async (_request, reply) => {
    loggedOut += 1
    return reply.code(204).send()
  })
  await server.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => server.close())
  return {
    baseUrl: `http://127.0.0.1:${(server.server.address() as { port: number }).port}`,
    seen,
    loggedOut: () => loggedOut,
    /** Gives out a newer pair behind the page's back: the page's access token is now expired. */
    expire: () => pair(),
  }
}

t.test('an admin signs in; an expired access token is refreshed once and the request goes through', async (t) => {
  const server = await api(t)
  const session = createSession({ baseUrl: server.baseUrl })
  const states: SessionState['status'][] = []
  session.subscribe((state) => states.push(state.status))

  await session.signIn('admin-proof')
  t.equal(session.state.status, 'signed-in')
  server.expire()
  const metrics = await attempt(() => session.suite.api.GET('/api/v1/admin/dashboard/metrics'))
  t.equal(metrics.response?.status, 200)
  t.same(server.seen, ['Bearer access-1', 'Bearer access-3'], 'sent with the old token, then once with the refreshed one')
  t.same(states, ['signed-in'], 'a refresh does not disturb the page')
})

t.test('a refused refresh ends the session: back to the sign-in with a notice', async (t) => {
  const server = await api(t, { refresh: 401 })
  const session = createSession({ baseUrl: server.baseUrl })
  await session.signIn('admin-proof')
  server.expire()
  const metrics = await attempt(() => session.suite.api.GET('/api/v1/admin/dashboard/metrics'))
  t.equal(metrics.failure?.kind, 'signed-out')
  t.same(session.state, { status: 'signed-out', notice: 'Your session has ended. Sign in again.' })
  t.equal(session.suite.session, null, 'no token is kept')
})

t.test('a refresh that meets a server that is down keeps the session: a failure to retry, not a sign-out', async (t) => {
  const server = await api(t, { refresh: 503 })
  const session = createSession({ baseUrl: server.baseUrl })
  await session.signIn('admin-proof')
  server.expire()
  const metrics = await sessionAttempt(session, (suite) => suite.api.GET('/api/v1/admin/dashboard/metrics'))
  t.equal(metrics.failure?.kind, 'down')
  t.equal(session.state.status, 'signed-in')
  t.not(session.suite.session, null)
})

t.test('someone who is not an admin is logged out at once and told so', async (t) => {
  const server = await api(t)
  const session = createSession({ baseUrl: server.baseUrl })
  await session.signIn('user-proof')
  t.equal(session.state.status, 'not-admin')
  t.equal(server.loggedOut(), 1, 'their session is ended on the server')
  t.equal(session.suite.session, null)
  t.ok(await session.signOut())
  t.same(session.state, { status: 'signed-out', notice: 'Signed out.' })
})

t.test('an admin the API stops taking as one is shown "not an admin"', async (t) => {
  const server = await api(t, { metrics: { status: 403, code: 'FORBIDDEN' } })
  const session = createSession({ baseUrl: server.baseUrl })
  await session.signIn('admin-proof')
  const metrics = await sessionAttempt(session, (suite) => suite.api.GET('/api/v1/admin/dashboard/metrics'))
  t.equal(metrics.failure?.kind, 'forbidden')
  t.equal(session.state.status, 'not-admin')
})

t.test("the server's own refusals keep their meaning", async (t) => {
  const answer = (status: number) => new Response(null, { status })
  t.same(failureOf(answer(401), { code: 'PROOF_INVALID', message: 'The proof is not valid' }), {
    kind: 'refused',
    message: 'The proof is not valid',
    code: 'PROOF_INVALID',
  })
  t.equal(failureOf(answer(403), { code: 'USER_BANNED', message: 'banned' }).kind, 'refused', 'a ban is not "not an admin"')
  t.equal(
    failureOf(answer(502), { code: 'DELIVERY_FAILED', message: 'The code could not be delivered' }).message,
    'The code could not be delivered',
  )
  t.equal(failureOf(answer(503), { code: 'UPSTREAM_UNAVAILABLE' }).kind, 'down')
  t.equal(failureOf(answer(429), { code: 'RATE_LIMITED', retryAfter: 7 }).message, 'Too many requests. Try again in 7 s.')
})

t.test('a server that cannot be reached is a failure the page can show, not a throw', async (t) => {
  const session = createSession({ baseUrl: 'http://127.0.0.1:1' })
  const outcome = await attempt(() => session.suite.sendCode({ channel: 'sms', to: '+15551234567', purpose: 'login' }))
  t.equal(outcome.failure?.kind, 'offline')
})

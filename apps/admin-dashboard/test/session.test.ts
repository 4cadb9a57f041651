import Fastify from 'fastify'
import t, { type Test } from 'tap'
import { attempt } from '../src/lib/failure.ts'
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
async function api(t: Test, { refreshes }: { refreshes: boolean }) {
  const server = Fastify()
  let issued = 0
  const seen: string[] = []
  const pair = () => {
    issued += 1
    return { accessToken: `access-${issued}`, refreshToken: `refresh-${issued}`, expiresIn: 900, tokenType: 'Bearer' }
  }
  server.post<{ Body: { proof: string } }>('/api/v1/auth/otp/login', async (request) => ({
    user: user(request.body.proof === 'admin-proof' ? 'admin' : 'user'),
    ...pair(),
  }))
  server.post('/api/v1/auth/refresh', async (_request, reply) =>
    refreshes ? pair() : reply.code(401).send({ code: 'TOKEN_REVOKED', message: 'This token has been revoked' }),
  )
  server.get('/api/v1/admin/dashboard/metrics', async (request, reply) => {
    seen.push(request.headers.authorization ?? '')
    if (request.headers.authorization !== `Bearer access-${issued}`)
      return reply.code(401).send({ code: 'TOKEN_EXPIRED', message: 'The token has expired' })
    return { generatedAt: new Date().toISOString() }
  })
  server.post('/api/v1/auth/logout', async (_request, reply) => reply.code(204).send())
  await server.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => server.close())
  return {
    baseUrl: `http://127.0.0.1:${(server.server.address() as { port: number }).port}`,
    seen,
    /** Gives out a newer pair behind the page's back: the page's access token is now expired. */
    expire: () => pair(),
  }
}

t.test('an admin signs in; an expired access token is refreshed once and the request goes through', async (t) => {
  const server = await api(t, { refreshes: true })
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
  const server = await api(t, { refreshes: false })
  const session = createSession({ baseUrl: server.baseUrl })
  await session.signIn('admin-proof')
  server.expire()
  const metrics = await attempt(() => session.suite.api.GET('/api/v1/admin/dashboard/metrics'))
  t.equal(metrics.failure?.kind, 'signed-out')
  t.same(session.state, { status: 'signed-out', notice: 'Your session has ended. Sign in again.' })
  t.equal(session.suite.session, null, 'no token is kept')
})

t.test('someone who is not an admin gets the "not an admin" state, and can sign out', async (t) => {
  const server = await api(t, { refreshes: true })
  const session = createSession({ baseUrl: server.baseUrl })
  await session.signIn('user-proof')
  t.equal(session.state.status, 'not-admin')
  await session.signOut()
  t.same(session.state, { status: 'signed-out', notice: 'Signed out.' })
})

t.test('an admin the API stops taking as one is shown "not an admin"', async (t) => {
  const server = await api(t, { refreshes: true })
  const session = createSession({ baseUrl: server.baseUrl })
  await session.signIn('admin-proof')
  session.refused()
  t.equal(session.state.status, 'not-admin')
})

t.test('a server that cannot be reached is a failure the page can show, not a throw', async (t) => {
  const session = createSession({ baseUrl: 'http://127.0.0.1:1' })
  const outcome = await attempt(() => session.suite.sendCode({ channel: 'sms', to: '+15551234567', purpose: 'login' }))
  t.equal(outcome.failure?.kind, 'offline')
})

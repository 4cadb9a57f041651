import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import Fastify from 'fastify'
import t, { type Test } from 'tap'
import { createSuiteClient, type Session } from '../src/index.ts'

/**
 * The token rules of user-service, in small: access tokens expire when the test says so, a refresh
 * token works once. Enough to drive the client's session handling through every turn.
 */
async function tokenServer(t: Test) {
  const state = {
    logoutDown: false,
    generation: 0,
    expired: new Set<string>(),
    revoked: new Set<string>(),
    refreshes: 0,
    spent: new Set<string>(),
    /** Held until the test lets PATCHes answer. */
    patchGate: Promise.resolve(),
    patchedWith: [] as (string | undefined)[],
  }
  const pair = () => {
    state.generation++
    return { accessToken: `access-${state.generation}`, refreshToken: `refresh-${state.generation}`, tokenType: 'Bearer', expiresIn: 900 }
  }
  const app = Fastify()
  const refuse = (code: string) => ({ statusCode: 401, code, error: 'Unauthorized', message: code })
  app.post('/api/v1/auth/otp/login', async () => ({ ...pair(), user: { id: 'u1' } }))
  app.post('/api/v1/auth/refresh', async (request, reply) => {
    state.refreshes++
    const { refreshToken } = request.body as { refreshToken: string }
    if (state.spent.has(refreshToken) || !refreshToken.startsWith('refresh-')) return reply.code(401).send(refuse('REFRESH_INVALID'))
    state.spent.add(refreshToken)
    // Slow enough for concurrent requests to meet here.
    await new Promise((resolve) => setTimeout(resolve, 50))
    return pair()
  })
  const authenticate = (authorization = '') => {
    const token = authorization.replace(/^Bearer /, '')
    if (!token.startsWith('access-')) return 'TOKEN_MISSING'
    if (state.revoked.has(token)) return 'TOKEN_REVOKED'
    if (state.expired.has(token)) return 'TOKEN_EXPIRED'
    return undefined
  }
  app.patch('/api/v1/users/me', async (request, reply) => {
    state.patchedWith.push(request.headers.authorization)
    await state.patchGate
    const refused = authenticate(request.headers.authorization)
    if (refused) return reply.code(401).send(refuse(refused))
    return { id: 'u1', token: request.headers.authorization, body: request.body }
  })
  app.get('/elsewhere', async (request) => ({ authorization: request.headers.authorization ?? null }))
  app.post('/api/v1/auth/logout', async (request, reply) => {
    if (state.logoutDown) return reply.code(503).send({ statusCode: 503, code: 'UPSTREAM_UNAVAILABLE', error: 'x', message: 'x' })
    const refused = authenticate(request.headers.authorization)
    if (refused) return reply.code(401).send(refuse(refused))
    state.revoked.add(request.headers.authorization?.replace(/^Bearer /, '') as string)
    return reply.code(204).send()
  })
  const baseUrl = await app.listen({ host: '127.0.0.1', port: 0 })
  t.teardown(() => app.close())
  return { baseUrl, state }
}

const patchMe = (suite: ReturnType<typeof createSuiteClient>, firstName: string, headers?: Record<string, string>) =>
  suite.api.PATCH('/api/v1/users/me', { body: { firstName }, headers })

t.test('an expired access token is refreshed once, and the request sent again with its body', async (t) => {
  const { baseUrl, state } = await tokenServer(t)
  const sessions: (Session | null)[] = []
  const suite = createSuiteClient({ baseUrl, onSessionChange: (session) => sessions.push(session) })
  await suite.login('a-proof')
  t.same(suite.session, { accessToken: 'access-1', refreshToken: 'refresh-1' })

  state.expired.add('access-1')
  const replies = await Promise.all([patchMe(suite, 'Ada'), patchMe(suite, 'Grace'), patchMe(suite, 'Edsger')])
  t.equal(state.refreshes, 1, 'three expired requests, one refresh: a refresh token works once')
  t.same(
    replies.map(({ data }) => data),
    ['Ada', 'Grace', 'Edsger'].map((firstName) => ({ id: 'u1', token: 'Bearer access-2', body: { firstName } })),
    'each request went again, with the new token and its own body',
  )
  t.same(sessions.at(-1), { accessToken: 'access-2', refreshToken: 'refresh-2' }, 'the app hears of the new pair')

  state.expired.add('access-2')
  await patchMe(suite, 'Later')
  t.equal(state.refreshes, 2, 'a later expiry refreshes again')
})

t.test('a refused refresh ends the session; other refusals are answered as they are', async (t) => {
  const { baseUrl, state } = await tokenServer(t)
  const sessions: (Session | null)[] = []
  const suite = createSuiteClient({ baseUrl, onSessionChange: (session) => sessions.push(session) })
  await suite.login('a-proof')

  state.revoked.add('access-1')
  const revoked = await patchMe(suite, 'Ada')
  t.equal(revoked.response.status, 401)
  t.match(revoked.error, { code: 'TOKEN_REVOKED' })
  t.equal(state.refreshes, 0, 'only an expired token is refreshed')

  suite.setSession({ accessToken: 'access-1', refreshToken: 'refresh-1' })
  state.revoked.clear()
  state.expired.add('access-1')
  state.spent.add('refresh-1')
  const ended = await patchMe(suite, 'Ada')
  t.equal(ended.response.status, 401, 'the original answer, once the refresh is refused')
  t.match(ended.error, { code: 'TOKEN_EXPIRED' })
  t.equal(suite.session, null)
  t.equal(sessions.at(-1), null, 'the app hears the session is over')
  t.equal(state.refreshes, 1)
})

t.test('a request with its own Authorization is left alone; logout forgets the session', async (t) => {
  const { baseUrl, state } = await tokenServer(t)
  const suite = createSuiteClient({ baseUrl })
  await suite.login('a-proof')
  state.expired.add('access-1')
  const own = await patchMe(suite, 'Ada', { authorization: 'Bearer access-1' })
  t.equal(own.response.status, 401)
  t.equal(state.refreshes, 0)

  const fetched = await suite.fetch(`${baseUrl}/api/v1/users/me`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ firstName: 'Raw' }),
  })
  t.same(await fetched.json(), { id: 'u1', token: 'Bearer access-2', body: { firstName: 'Raw' } }, 'the fetch for requests made by hand')

  const out = await suite.logout()
  t.equal(out.response.status, 204)
  t.ok(state.revoked.has('access-2'), 'logged out with the current token')
  t.equal(suite.session, null)
  t.equal((await patchMe(suite, 'Ada')).response.status, 401, 'no token is sent once logged out')
})

t.test('a refresh that ends after the app signed out or in again changes nothing', async (t) => {
  const { baseUrl, state } = await tokenServer(t)
  const suite = createSuiteClient({ baseUrl })
  await suite.login('a-proof')
  state.expired.add('access-1')
  const pending = patchMe(suite, 'Ada')
  await new Promise((resolve) => setTimeout(resolve, 20))
  suite.setSession(null)
  t.equal((await pending).response.status, 401, 'the request gets its refusal')
  t.equal(suite.session, null, 'the session the app ended stays ended')

  await suite.login('a-proof')
  state.expired.add(suite.session?.accessToken as string)
  const racing = patchMe(suite, 'Grace')
  await new Promise((resolve) => setTimeout(resolve, 20))
  await suite.login('another-proof')
  const signedInAgain = suite.session
  await racing
  t.equal(state.refreshes, 2, 'the refresh did happen, after the new sign-in')
  t.equal(suite.session, signedInAgain, 'the new sign-in is kept, not the refreshed old one')
})

t.test('a request sent with one sign-in is never sent again with another', async (t) => {
  const { baseUrl, state } = await tokenServer(t)
  const suite = createSuiteClient({ baseUrl })
  await suite.login('proof-of-a')
  state.expired.add('access-1')
  let answer = () => {}
  state.patchGate = new Promise((resolve) => (answer = resolve))
  const pending = patchMe(suite, 'Ada')
  while (state.patchedWith.length === 0) await new Promise((resolve) => setTimeout(resolve, 5))
  await suite.login('proof-of-b')
  answer()
  const reply = await pending
  t.equal(reply.response.status, 401, 'the refusal of the session it was sent with')
  t.same(state.patchedWith, ['Bearer access-1'], 'not sent again as the other sign-in')
  t.equal(state.refreshes, 0)
  t.equal(suite.session?.accessToken, 'access-2')
})

t.test('a refresh that gets no answer keeps the session and fails nothing else', async (t) => {
  const { baseUrl, state } = await tokenServer(t)
  const unhandled: unknown[] = []
  const note = (reason: unknown) => unhandled.push(reason)
  process.on('unhandledRejection', note)
  t.teardown(() => process.off('unhandledRejection', note))
  let networkDown = false
  const suite = createSuiteClient({
    baseUrl,
    fetch: (input, init) =>
      networkDown && String(input instanceof Request ? input.url : input).endsWith('/refresh')
        ? Promise.reject(new TypeError('fetch failed'))
        : fetch(input, init),
  })
  await suite.login('a-proof')
  state.expired.add('access-1')
  networkDown = true
  const reply = await patchMe(suite, 'Ada')
  await new Promise((resolve) => setImmediate(resolve))
  t.equal(reply.response.status, 401, 'the request gets its own refusal')
  t.match(reply.error, { code: 'TOKEN_EXPIRED' })
  t.same(suite.session, { accessToken: 'access-1', refreshToken: 'refresh-1' }, 'the session is kept for the next try')
  t.same(unhandled, [], 'no rejection left unhandled (one would end a Node process)')
  networkDown = false
  t.equal((await patchMe(suite, 'Ada')).response.status, 200, 'the next request refreshes')
})

t.test('middleware never sees the access token', async (t) => {
  const { baseUrl } = await tokenServer(t)
  const suite = createSuiteClient({ baseUrl })
  const seen: (string | null)[] = []
  suite.use({
    onResponse({ request }) {
      seen.push(request.headers.get('authorization'))
    },
  })
  await suite.login('a-proof')
  const reply = await patchMe(suite, 'Ada')
  t.match(reply.data, { token: 'Bearer access-1' }, 'the server got it')
  t.same(seen, [null, null], "the login's request and the patch's, as openapi-fetch made them")
})

t.test('the token goes to the suite only; a logout the server could not carry out keeps the session', async (t) => {
  const { baseUrl, state } = await tokenServer(t)
  const suite = createSuiteClient({ baseUrl })
  await suite.login('a-proof')
  const other = baseUrl.replace('127.0.0.1', 'localhost')
  t.same(await (await suite.fetch(`${other}/elsewhere`)).json(), { authorization: null }, 'another origin gets no token')
  t.same(await (await suite.fetch(`${baseUrl}/elsewhere`)).json(), { authorization: 'Bearer access-1' })

  state.logoutDown = true
  t.equal((await suite.logout()).response.status, 503)
  t.ok(suite.session, 'kept, so the app can log out again')
  state.logoutDown = false
  t.equal((await suite.logout()).response.status, 204)
  t.equal(suite.session, null)
})

t.test('the package builds to JavaScript that plain Node runs', async (t) => {
  const packageDir = new URL('..', import.meta.url).pathname
  await promisify(execFile)('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: packageDir })
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--input-type=module', '-e', "const m = await import('./dist/index.js'); console.log(typeof m.createSuiteClient)"],
    { cwd: packageDir },
  )
  t.equal(stdout.trim(), 'function')
})

// Checked by the type check, not run: the errors of each operation are typed from the document.
export async function typedErrors(suite: ReturnType<typeof createSuiteClient>) {
  const verified = await suite.verifyCode({ channel: 'sms', to: '+15551234567', purpose: 'login', code: '123456' })
  if (verified.error?.code === 'OTP_INVALID') verified.error.attemptsLeft satisfies number | undefined
  if (verified.error?.statusCode === 429) verified.error.retryAfter satisfies number
  // @ts-expect-error not a code verify can answer
  if (verified.error?.code === 'USER_BANNED') return
  const me = await suite.api.GET('/api/v1/users/me')
  me.data?.phoneVerified satisfies boolean | undefined
  // @ts-expect-error the gateway has no such route
  await suite.api.GET('/api/v1/users/you')
}

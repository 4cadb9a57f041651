import t from 'tap'
import { createTokenService, type VerifiedClaims } from '../index.ts'
import { buildApp } from './build-app.ts'
import { forge, nowSeconds, randomSecret, SAMPLE_CLAIMS } from './helpers.ts'

const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

t.test('requireToken answers with catalogued 401s', async (t) => {
  const secret = randomSecret()
  const tokens = createTokenService({ secret })
  const app = await buildApp(t, { tokens })
  const access = tokens.sign('access', SAMPLE_CLAIMS.access).token
  const get = async (headers: Record<string, string>, url = '/me') => {
    const reply = await app.inject({ method: 'GET', url, headers })
    return { status: reply.statusCode, body: reply.json() }
  }

  t.match(await get({}), { status: 401, body: { statusCode: 401, code: 'TOKEN_MISSING' } }, 'no header')
  t.match(await get({ authorization: 'Basic dXNlcjpwYXNz' }), { status: 401, body: { code: 'TOKEN_MISSING' } })
  t.match(await get(bearer('garbage')), { status: 401, body: { code: 'TOKEN_INVALID' } }, 'garbage')
  t.match(await get(bearer(`${access} extra`)), { status: 401, body: { code: 'TOKEN_INVALID' } })
  const expired = forge(access, secret, { payload: { exp: nowSeconds() - 60 } })
  t.match(await get(bearer(expired)), { status: 401, body: { code: 'TOKEN_EXPIRED' } })
  const unsigned = forge(access, secret, { header: { alg: 'none' } })
  t.match(await get(bearer(unsigned)), { status: 401, body: { code: 'TOKEN_INVALID' } }, 'alg none')
  const foreign = createTokenService({ secret: randomSecret() }).sign('access', SAMPLE_CLAIMS.access).token
  t.match(await get(bearer(foreign)), { status: 401, body: { code: 'TOKEN_INVALID' } }, 'other key')

  for (const kind of ['refresh', 'otp_proof', 'email_verify', 'service'] as const) {
    const wrongKind = tokens.sign(kind, SAMPLE_CLAIMS[kind]).token
    t.match(await get(bearer(wrongKind)), { status: 401, body: { code: 'TOKEN_INVALID' } }, `${kind} as access`)
  }
  const stats = await get(bearer(access), '/internal/stats')
  t.match(stats, { status: 401, body: { code: 'TOKEN_INVALID' } }, 'access as service')
  t.match(await get({}, '/unprotected'), { status: 401, body: { code: 'TOKEN_MISSING' } }, 'fails closed')
  // @ts-expect-error only the five kinds exist
  t.throws(() => app.requireToken('session'), TypeError, 'a typo fails when the route is declared')
})

t.test('a valid token puts typed claims on the request', async (t) => {
  const tokens = createTokenService({ secret: randomSecret() })
  const app = await buildApp(t, { tokens })

  const me = await app.inject({ url: '/me', headers: bearer(tokens.sign('access', SAMPLE_CLAIMS.access).token) })
  t.equal(me.statusCode, 200)
  t.same(me.json(), { sub: 'user-1', role: 'admin', sid: 'session-1', typ: 'access' })

  const service = tokens.sign('service', { sub: 'admin-service' }).token
  const stats = await app.inject({ url: '/internal/stats', headers: bearer(service) })
  t.same(stats.json(), { caller: 'admin-service' })
})

t.test('isRevoked is asked only about otherwise valid tokens', async (t) => {
  const secret = randomSecret()
  const tokens = createTokenService({ secret })
  const revoked = new Set<string>()
  const asked: VerifiedClaims[] = []
  const app = await buildApp(t, {
    tokens,
    isRevoked: async (claims) => {
      asked.push(claims)
      if (claims.sub === 'store-down') throw Object.assign(new Error('db down'), { statusCode: 503, code: 'DB_DOWN' })
      return revoked.has(claims.jti)
    },
  })
  const kept = tokens.sign('access', SAMPLE_CLAIMS.access)
  const loggedOut = tokens.sign('access', SAMPLE_CLAIMS.access)
  revoked.add(loggedOut.jti)

  const ok = await app.inject({ url: '/me', headers: bearer(kept.token) })
  t.equal(ok.statusCode, 200)
  const refused = await app.inject({ url: '/me', headers: bearer(loggedOut.token) })
  t.match(refused.json(), { statusCode: 401, code: 'TOKEN_REVOKED' })
  t.match(
    asked,
    [
      { typ: 'access', jti: kept.jti },
      { typ: 'access', jti: loggedOut.jti },
    ],
    'typed claims',
  )

  asked.length = 0
  const proof = tokens.sign('otp_proof', SAMPLE_CLAIMS.otp_proof).token
  await app.inject({ url: '/me', headers: bearer(proof) })
  await app.inject({ url: '/me', headers: bearer(forge(kept.token, randomSecret(), {})) })
  await app.inject({ url: '/me', headers: bearer(forge(kept.token, secret, { payload: { exp: 1 } })) })
  t.same(asked, [], 'not asked for a wrong kind, a bad signature or an expired token')

  const outage = tokens.sign('access', { ...SAMPLE_CLAIMS.access, sub: 'store-down' }).token
  const down = await app.inject({ url: '/me', headers: bearer(outage) })
  t.match(down.json(), { statusCode: 503, code: 'DB_DOWN' }, 'a failing store is not reported as a bad token')
})

t.test('two instances in one process keep their own keys', async (t) => {
  const first = createTokenService({ secret: randomSecret() })
  const second = createTokenService({ secret: randomSecret() })
  const [appOne, appTwo] = await Promise.all([buildApp(t, { tokens: first }), buildApp(t, { tokens: second })])
  const tokenOne = first.sign('access', SAMPLE_CLAIMS.access).token
  const tokenTwo = second.sign('access', SAMPLE_CLAIMS.access).token

  const replies = await Promise.all([
    appOne.inject({ url: '/me', headers: bearer(tokenOne) }),
    appTwo.inject({ url: '/me', headers: bearer(tokenTwo) }),
    appOne.inject({ url: '/me', headers: bearer(tokenTwo) }),
    appTwo.inject({ url: '/me', headers: bearer(tokenOne) }),
  ])
  t.same(
    replies.map((reply) => reply.statusCode),
    [200, 200, 401, 401],
  )
})

t.test(
  'a service token is accepted call after call (remembered once verified), never a look-alike, never asked about revocation',
  async (t) => {
    const secret = randomSecret()
    const tokens = createTokenService({ secret })
    const asked: VerifiedClaims[] = []
    const app = await buildApp(t, { tokens, isRevoked: (claims) => asked.push(claims) < 0 })
    const service = tokens.sign('service', { sub: 'admin-service' }).token
    for (let i = 0; i < 3; i++)
      t.same((await app.inject({ url: '/internal/stats', headers: bearer(service) })).json(), { caller: 'admin-service' })
    t.same(asked, [], 'revocation is a question about access tokens only')
    const forged = forge(service, randomSecret(), {})
    t.equal((await app.inject({ url: '/internal/stats', headers: bearer(forged) })).statusCode, 401)
    t.equal((await app.inject({ url: '/internal/stats', headers: bearer(`${service}x`) })).statusCode, 401)
    const access = tokens.sign('access', SAMPLE_CLAIMS.access).token
    t.equal((await app.inject({ url: '/internal/stats', headers: bearer(access) })).statusCode, 401, 'an access token is no service token')
  },
)

t.test('an access token shown again is asked about revocation on every request', async (t) => {
  const tokens = createTokenService({ secret: randomSecret() })
  const revoked = new Set<string>()
  const asked: VerifiedClaims[] = []
  const app = await buildApp(t, { tokens, isRevoked: (claims) => asked.push(claims) > 0 && revoked.has(claims.jti) })
  const { token, jti } = tokens.sign('access', SAMPLE_CLAIMS.access)
  t.equal((await app.inject({ url: '/me', headers: bearer(token) })).statusCode, 200)
  t.equal((await app.inject({ url: '/me', headers: bearer(token) })).statusCode, 200)
  t.same(
    asked.map((claims) => Object.isFrozen(claims)),
    [false, true],
    'asked about the claims just verified, then about the ones remembered',
  )
  revoked.add(jti)
  t.match((await app.inject({ url: '/me', headers: bearer(token) })).json(), { statusCode: 401, code: 'TOKEN_REVOKED' }, 'logged out')
  t.equal((await app.inject({ url: '/internal/stats', headers: bearer(token) })).statusCode, 401, 'still no service token')
})

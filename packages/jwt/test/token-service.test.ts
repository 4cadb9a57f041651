import { setTimeout as sleep } from 'node:timers/promises'
import { createSigner } from 'fast-jwt'
import t from 'tap'
import { AUDIENCES, createTokenService, DEFAULT_LIFETIMES, type Role, TOKEN_KINDS, type VerifiedClaims } from '../index.ts'
import { forge, nowSeconds, partsOf, randomSecret, SAMPLE_CLAIMS, tamper } from './helpers.ts'

t.test('every kind round-trips with its typed claims and default lifetime', async (t) => {
  const tokens = createTokenService({ secret: randomSecret() })
  for (const kind of TOKEN_KINDS) {
    const signed = tokens.sign(kind, SAMPLE_CLAIMS[kind])
    const claims = tokens.verify(kind, signed.token)
    t.match(claims, { ...SAMPLE_CLAIMS[kind], typ: kind, jti: signed.jti }, kind)
    t.equal(claims.exp - claims.iat, DEFAULT_LIFETIMES[kind])
    t.equal(signed.expiresIn, DEFAULT_LIFETIMES[kind])
    t.equal(signed.expiresAt.getTime(), claims.exp * 1000)
    const { header, payload } = partsOf(signed.token)
    t.match(header, { alg: 'HS256', kid: /^[\w-]{16}$/ })
    t.match(payload, { aud: AUDIENCES[kind], iss: 'otp-suite' })
  }
  const access: VerifiedClaims<'access'> = tokens.verify('access', tokens.sign('access', SAMPLE_CLAIMS.access).token)
  const role: Role = access.role
  t.equal(role, 'admin')
})

t.test('tokens are exactly what fast-jwt signs for the same header, key and payload', async (t) => {
  const secret = randomSecret()
  const tokens = createTokenService({ secret })
  for (const kind of TOKEN_KINDS) {
    const { token } = tokens.sign(kind, SAMPLE_CLAIMS[kind])
    const { header, payload } = partsOf(token)
    t.same(Object.keys(header), ['alg', 'typ', 'kid'])
    const reference = createSigner({ algorithm: 'HS256', key: secret, kid: header.kid as string })
    t.equal(token, reference(payload), kind)
  }
})

t.test('signing takes only the kind’s own claims, with valid values', async (t) => {
  const tokens = createTokenService({ secret: randomSecret() })
  const sneaky = { ...SAMPLE_CLAIMS.refresh, aud: 'otp-suite:api', typ: 'access', exp: 1 }
  const { token } = tokens.sign('refresh', sneaky)
  t.match(partsOf(token).payload, { aud: AUDIENCES.refresh, typ: 'refresh' })
  t.throws(
    // @ts-expect-error a role outside the union does not compile either
    () => tokens.sign('access', { ...SAMPLE_CLAIMS.access, role: 'root' }),
    TypeError,
  )
  t.throws(() => tokens.sign('service', { sub: '' }), TypeError, 'empty subject')
  t.throws(() => tokens.sign('service', { sub: 'x' }, { expiresIn: 0 }), RangeError)
  t.throws(() => createTokenService({ secret: randomSecret(), clockToleranceSeconds: -1 }), RangeError)
  const short = tokens.sign('service', { sub: 'x' }, { expiresIn: 42 })
  t.equal(short.expiresIn, 42)
  t.not(tokens.sign('service', { sub: 'x' }).jti, short.jti, 'every token gets its own jti')
  const chosen = tokens.sign('refresh', { sub: 'u', sid: 's' }, { jti: 'chosen-id' })
  t.equal(tokens.verify('refresh', chosen.token).jti, 'chosen-id', 'or the one its caller stored beforehand')
})

t.test('expiry, with the clock-skew leeway', async (t) => {
  const secret = randomSecret()
  const strict = createTokenService({ secret, clockToleranceSeconds: 0 })
  const lenient = createTokenService({ secret })
  const { token } = strict.sign('access', SAMPLE_CLAIMS.access, { expiresIn: 1 })
  await sleep(1100)
  t.throws(() => strict.verify('access', token), { code: 'TOKEN_EXPIRED' })
  t.ok(lenient.verify('access', token), 'a just-expired token passes within the default 5 s')

  const long = strict.sign('access', SAMPLE_CLAIMS.access).token
  const expiredLongAgo = forge(long, secret, { payload: { exp: nowSeconds() - 60 } })
  t.throws(() => lenient.verify('access', expiredLongAgo), { code: 'TOKEN_EXPIRED', statusCode: 401 })
})

t.test('a token shown again is taken as verified until it expires, in its own kind only', async (t) => {
  const tokens = createTokenService({ secret: randomSecret(), clockToleranceSeconds: 0 })
  const { token } = tokens.sign('access', SAMPLE_CLAIMS.access, { expiresIn: 2 })
  const first = tokens.verify('access', token)
  t.equal(tokens.verify('access', token), first, 'the claims verified the first time')
  t.ok(Object.isFrozen(first), 'shared by every request that shows it, so no one may change them')
  t.throws(() => tokens.verify('service', token), { code: 'TOKEN_INVALID' }, 'an access token is no service token')
  const refresh = tokens.sign('refresh', SAMPLE_CLAIMS.refresh).token
  t.not(tokens.verify('refresh', refresh), tokens.verify('refresh', refresh), 'a token spent once is verified each time')
  await sleep(2100)
  t.throws(() => tokens.verify('access', token), { code: 'TOKEN_EXPIRED' }, 'no longer than it lives')
})

t.test('tampering and foreign keys are refused', async (t) => {
  const secret = randomSecret()
  const tokens = createTokenService({ secret })
  const { token } = tokens.sign('access', { ...SAMPLE_CLAIMS.access, role: 'user' })
  const invalid = { code: 'TOKEN_INVALID', statusCode: 401 }

  t.throws(() => tokens.verify('access', tamper(token, { role: 'admin' })), invalid, 'payload')
  const [head, body, signature = ''] = token.split('.')
  const flipped = `${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`
  t.throws(() => tokens.verify('access', `${head}.${body}.${flipped}`), invalid, 'signature')
  t.throws(() => tokens.verify('access', forge(token, randomSecret(), {})), invalid, 'known kid, wrong key')

  const stranger = createTokenService({ secret: randomSecret() })
  t.throws(() => stranger.verify('access', token), invalid, 'unknown kid')
  t.throws(() => tokens.verify('access', forge(token, secret, { header: { kid: undefined } })), invalid)
  const otherIssuer = createTokenService({ secret, issuer: 'someone-else' })
  t.throws(() => otherIssuer.verify('access', token), invalid, 'issuer')

  for (const garbage of ['not-a-jwt', 'a.b.c', `${head}.${body}`]) {
    t.throws(() => tokens.verify('access', garbage), invalid, garbage)
  }
  t.throws(() => tokens.verify('access', ''), { code: 'TOKEN_MISSING' })
  t.throws(() => tokens.verify('access', undefined), { code: 'TOKEN_MISSING' })

  const error = t.throws(() => tokens.verify('access', tamper(token, { role: 'admin' })))
  t.notMatch(String(error), secret, 'messages never carry the secret')
})

t.test('only HS256 is accepted', async (t) => {
  const secret = randomSecret()
  const tokens = createTokenService({ secret })
  const { token } = tokens.sign('access', SAMPLE_CLAIMS.access)
  for (const alg of ['none', 'HS512', 'HS384']) {
    const forged = forge(token, secret, { header: { alg } })
    t.throws(() => tokens.verify('access', forged), { code: 'TOKEN_INVALID' }, alg)
  }
})

t.test('no kind is accepted where another is expected', async (t) => {
  const secret = randomSecret()
  const tokens = createTokenService({ secret })
  for (const signedAs of TOKEN_KINDS) {
    const { token } = tokens.sign(signedAs, SAMPLE_CLAIMS[signedAs])
    for (const expected of TOKEN_KINDS.filter((kind) => kind !== signedAs)) {
      t.throws(() => tokens.verify(expected, token), { code: 'TOKEN_INVALID' }, `${signedAs} as ${expected}`)
    }
  }
  // Each check holds on its own, even for a token minted with only one of them wrong.
  const refresh = tokens.sign('refresh', SAMPLE_CLAIMS.refresh).token
  const typOnly = forge(refresh, secret, { payload: { ...SAMPLE_CLAIMS.access, typ: 'access' } })
  const audOnly = forge(refresh, secret, { payload: { ...SAMPLE_CLAIMS.access, aud: AUDIENCES.access } })
  t.throws(() => tokens.verify('access', typOnly), { code: 'TOKEN_INVALID' }, 'right typ, wrong aud')
  t.throws(() => tokens.verify('access', audOnly), { code: 'TOKEN_INVALID' }, 'right aud, wrong typ')
})

t.test('rotation: sign with the newest key, verify with any listed one', async (t) => {
  const oldSecret = randomSecret()
  const newSecret = randomSecret()
  const before = createTokenService({ secret: oldSecret })
  const oldToken = before.sign('refresh', SAMPLE_CLAIMS.refresh).token

  const rotated = createTokenService({ secret: newSecret, previousSecrets: [oldSecret] })
  t.match(rotated.verify('refresh', oldToken), SAMPLE_CLAIMS.refresh, 'old token still valid')
  const newToken = rotated.sign('refresh', SAMPLE_CLAIMS.refresh).token
  t.not(partsOf(newToken).header.kid, partsOf(oldToken).header.kid, 'new tokens carry the new kid')
  t.throws(() => before.verify('refresh', newToken), { code: 'TOKEN_INVALID' })

  const retired = createTokenService({ secret: newSecret })
  t.throws(() => retired.verify('refresh', oldToken), { code: 'TOKEN_INVALID' }, 'old key removed')
  t.ok(retired.verify('refresh', newToken))
})

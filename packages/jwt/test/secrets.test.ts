import { randomBytes } from 'node:crypto'
import t from 'tap'
import { Type } from 'typebox'
import { Value } from 'typebox/value'
import { assertStrongSecret, createTokenService, jwtConfigProperties, tokenServiceFromConfig } from '../index.ts'
import { partsOf, randomSecret } from './helpers.ts'

t.test('production refuses short and well-known secrets', async (t) => {
  const production = true
  const weak = ['secret', 'changeme', 'your-secret-key', `dev-secret-${'x'.repeat(40)}`, `CHANGEME${'0'.repeat(40)}`]
  for (const secret of weak) {
    const error = t.throws(() => createTokenService({ secret, production }), /JWT_SECRET/, secret)
    t.notMatch(String(error), secret, 'the error does not repeat the secret')
  }
  t.throws(() => createTokenService({ secret: randomSecret(20), production }), /at least 32 bytes/)
  t.throws(
    () => createTokenService({ secret: randomSecret(), previousSecrets: ['changeme'], production }),
    /JWT_PREVIOUS_SECRETS\[0\]/,
    'a retired key still verifies tokens, so it must be strong too',
  )
  t.ok(createTokenService({ secret: randomSecret(32), production }))
})

t.test('outside production a shorter secret is allowed, down to 16 bytes', async (t) => {
  t.ok(createTokenService({ secret: 'dev-secret-local', production: false }))
  t.throws(() => createTokenService({ secret: 'abc', production: false }), /at least 16 bytes/)
})

t.test('production refuses predictable secrets, however long, and takes random ones in any encoding', async (t) => {
  const production = { production: true }
  for (const encoding of ['hex', 'base64', 'base64url'] as const) {
    let refused = 0
    for (let i = 0; i < 2000; i++) {
      try {
        assertStrongSecret('OTP_PEPPER', randomBytes(32).toString(encoding), production)
      } catch {
        refused += 1
      }
    }
    t.equal(refused, 0, `2000 random 32-byte secrets in ${encoding}`)
  }
  const predictable = [
    'a'.repeat(64),
    'ab'.repeat(40),
    '0123'.repeat(50),
    `${'0123'.repeat(50)}x`,
    'abcdefghijklmnop'.repeat(8),
    `${'x'.repeat(60)}${randomSecret(4)}`,
  ]
  for (const secret of predictable) {
    const error = t.throws(() => assertStrongSecret('OTP_PEPPER', secret, production), /OTP_PEPPER is too predictable/, secret.slice(0, 20))
    t.notMatch(String(error), secret, 'the error does not repeat the secret')
    t.doesNotThrow(() => assertStrongSecret('OTP_PEPPER', secret, { production: false }), 'allowed outside production')
  }
  t.throws(() => createTokenService({ secret: 'j'.repeat(40), production: true }), /JWT_SECRET is too predictable/)
  t.throws(
    () => createTokenService({ secret: randomSecret(), previousSecrets: ['p'.repeat(40)], production: true }),
    /JWT_PREVIOUS_SECRETS\[0\]/,
  )
})

t.test('settings come from a config made with jwtConfigProperties', async (t) => {
  const secret = randomSecret()
  const previous = randomSecret()
  const oldToken = createTokenService({ secret: previous }).sign('service', { sub: 'gateway' }).token
  const Config = Type.Object({ ...jwtConfigProperties, NODE_ENV: Type.String() })
  t.ok(Value.Check(Config, { JWT_SECRET: secret, NODE_ENV: 'test' }), 'previous secrets and issuer are optional')
  t.notOk(Value.Check(Config, { NODE_ENV: 'test' }), 'the secret is not')

  const tokens = tokenServiceFromConfig({
    JWT_SECRET: ` ${secret} `,
    JWT_PREVIOUS_SECRETS: ` ${randomSecret()} , ${previous},`,
    JWT_ISSUER: ' suite-test ',
    NODE_ENV: 'production',
  })
  const { token } = tokens.sign('service', { sub: 'admin-service' })
  t.equal(partsOf(token).payload.iss, 'suite-test')
  t.equal(partsOf(token).header.kid, partsOf(createTokenService({ secret }).sign('service', { sub: 'x' }).token).header.kid, 'trimmed')
  t.throws(() => tokens.verify('service', oldToken), { code: 'TOKEN_INVALID' }, 'issuer is part of the check')

  const sameIssuer = tokenServiceFromConfig({ JWT_SECRET: secret, JWT_PREVIOUS_SECRETS: previous, NODE_ENV: 'test' })
  t.match(sameIssuer.verify('service', oldToken), { sub: 'gateway' }, 'previous secrets verify')

  t.throws(() => tokenServiceFromConfig({ JWT_SECRET: '  ', NODE_ENV: 'test' }), /JWT_SECRET is not set/)
  t.throws(() => tokenServiceFromConfig({ JWT_SECRET: 'changeme', NODE_ENV: 'production' }), /JWT_SECRET/)
})

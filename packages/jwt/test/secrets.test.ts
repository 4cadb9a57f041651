import t from 'tap'
import { createTokenService, tokenServiceFromEnv } from '../index.ts'
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

t.test('settings are read from the environment', async (t) => {
  const secret = randomSecret()
  const previous = randomSecret()
  const oldToken = createTokenService({ secret: previous }).sign('service', { sub: 'gateway' }).token

  const tokens = tokenServiceFromEnv({
    JWT_SECRET: secret,
    JWT_PREVIOUS_SECRETS: ` ${randomSecret()} , ${previous},`,
    JWT_ISSUER: 'suite-test',
    NODE_ENV: 'production',
  })
  const { token } = tokens.sign('service', { sub: 'admin-service' })
  t.equal(partsOf(token).payload.iss, 'suite-test')
  t.throws(() => tokens.verify('service', oldToken), { code: 'TOKEN_INVALID' }, 'issuer is part of the check')

  const sameIssuer = tokenServiceFromEnv({ JWT_SECRET: secret, JWT_PREVIOUS_SECRETS: previous })
  t.match(sameIssuer.verify('service', oldToken), { sub: 'gateway' }, 'previous secrets verify')

  t.throws(() => tokenServiceFromEnv({}), /JWT_SECRET is not set/)
  t.throws(() => tokenServiceFromEnv({ JWT_SECRET: 'changeme', NODE_ENV: 'production' }), /JWT_SECRET/)
})

import t from 'tap'
import { createTokenService, DEFAULT_LIFETIMES, serviceAuthorization } from '../index.ts'
import { randomSecret } from './helpers.ts'

t.test('one service token is reused for half its lifetime, then a new one is signed', async (t) => {
  const tokens = createTokenService({ secret: randomSecret() })
  const realNow = Date.now
  let now = realNow()
  Date.now = () => now
  t.teardown(() => {
    Date.now = realNow
  })
  const authorization = serviceAuthorization(tokens, 'admin-service')
  const first = authorization()
  t.match(first, /^Bearer [\w-]+\.[\w-]+\.[\w-]+$/)
  t.match(tokens.verify('service', first.slice(7)), { typ: 'service', sub: 'admin-service' })

  now += (DEFAULT_LIFETIMES.service * 1000) / 2 - 1
  t.equal(authorization(), first, 'still the same token just before half its lifetime')
  now += 1
  const second = authorization()
  t.not(second, first, 'a new token from half its lifetime on')
  t.equal(authorization(), second)
})

import t from 'tap'
import { appVersion, type CheckResult } from '../index.ts'
import { buildApp } from './build-app.ts'

t.test('readiness follows its checks: 503 while one is down, 200 once it is back', async (t) => {
  let database: CheckResult['status'] = 'up'
  const app = await buildApp(t, { checks: { database: async () => ({ status: database, latencyMs: 1 }) } })

  const up = await app.inject({ method: 'GET', url: '/health/ready' })
  t.equal(up.statusCode, 200)
  t.match(up.json(), { status: 'ok', service: 'test-service', version: '1.2.3', checks: { database: { status: 'up', latencyMs: Number } } })

  database = 'down'
  for (const path of ['/health/ready', '/health']) {
    const down = await app.inject({ method: 'GET', url: path })
    t.equal(down.statusCode, 503, path)
    t.match(down.json(), { status: 'down', checks: { database: { status: 'down' } } })
  }
  t.equal((await app.inject({ method: 'GET', url: '/health/live' })).statusCode, 200, 'liveness does not depend on the checks')

  database = 'up'
  const back = await app.inject({ method: 'GET', url: '/health/ready' })
  t.equal(back.statusCode, 200, 'recovers without a restart')
})

t.test('a service without checks is ready on its own', async (t) => {
  const app = await buildApp(t)
  const ready = await app.inject({ method: 'GET', url: '/health/ready' })
  t.same(ready.json(), { status: 'ok', service: 'test-service', version: '1.2.3', checks: {} })
})

t.test('an app reads its version from the package.json above it', async (t) => {
  t.equal(appVersion(new URL('../lib/version.ts', import.meta.url).href), '0.1.0')
  t.equal(appVersion(new URL('../test/deep/er/still.ts', import.meta.url).href), '0.1.0', 'the nearest manifest above, however deep')
  t.throws(() => appVersion('file:///nowhere/src/app.ts'), /no package.json with a version/)
})

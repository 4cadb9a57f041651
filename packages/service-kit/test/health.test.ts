import { createPool, pingDatabase } from '@otp-suite/db'
import { createTcpProxy } from '@otp-suite/db/testing'
import t from 'tap'
import { buildApp } from './build-app.ts'

const server = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

t.test('readiness follows the database: 503 while it is unreachable, 200 once it is back', async (t) => {
  const proxy = await createTcpProxy(server)
  const pool = createPool({ connectionString: proxy.url, max: 2 })
  t.teardown(async () => {
    await pool.end()
    await proxy.close()
  })
  const app = await buildApp(t, { checks: { database: () => pingDatabase(pool) } })

  const up = await app.inject({ method: 'GET', url: '/health/ready' })
  t.equal(up.statusCode, 200)
  t.match(up.json(), { status: 'ok', service: 'test-service', version: '1.2.3', checks: { database: { status: 'up', latencyMs: Number } } })

  await proxy.stop()
  for (const path of ['/health/ready', '/health']) {
    const down = await app.inject({ method: 'GET', url: path })
    t.equal(down.statusCode, 503, path)
    t.match(down.json(), { status: 'down', checks: { database: { status: 'down' } } })
  }
  t.equal((await app.inject({ method: 'GET', url: '/health/live' })).statusCode, 200, 'liveness does not depend on the database')

  await proxy.start()
  const back = await app.inject({ method: 'GET', url: '/health/ready' })
  t.equal(back.statusCode, 200, 'recovers without a restart')
})

t.test('a service without a database is ready on its own', async (t) => {
  const app = await buildApp(t)
  const ready = await app.inject({ method: 'GET', url: '/health/ready' })
  t.same(ready.json(), { status: 'ok', service: 'test-service', version: '1.2.3', checks: {} })
})

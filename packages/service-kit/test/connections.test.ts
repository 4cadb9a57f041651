import { connect } from 'node:net'
import t from 'tap'
import { createServer } from '../index.ts'

t.test('the idle limit closes a connection that sends nothing, not one whose handler is at work', async (t) => {
  const app = createServer({ LOG_LEVEL: 'silent', TRUSTED_PROXIES: '', BODY_LIMIT_BYTES: 1024 })
  t.teardown(() => app.close())
  app.get('/slow', async () => {
    await new Promise((resolve) => setTimeout(resolve, 600))
    return { ok: true }
  })
  await app.ready()
  // The idle limit (10 s as shipped) made short, as a connection reads it when it opens.
  app.server.setTimeout(200)
  const base = await app.listen({ host: '127.0.0.1', port: 0 })
  // A connection of its own, as a first request has: before, it was cut (ECONNRESET).
  const slow = await fetch(`${base}/slow`, { headers: { connection: 'close' } })
  t.equal(slow.status, 200, 'a handler three times the idle limit still answers')

  const { port } = app.server.address() as { port: number }
  const opened = Date.now()
  const idle = connect(port, '127.0.0.1')
  await new Promise((resolve) => idle.once('close', resolve))
  const after = Date.now() - opened
  t.ok(after >= 150 && after < 2000, `a connection that sent nothing is closed at the idle limit (${after} ms)`)
})

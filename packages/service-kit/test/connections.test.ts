import { connect } from 'node:net'
import t from 'tap'
import { createServer } from '../index.ts'

t.test('the idle limit closes a connection that sends nothing, not one whose handler is at work', async (t) => {
  const app = createServer({ LOG_LEVEL: 'silent', TRUSTED_PROXIES: '', BODY_LIMIT_BYTES: 1024 })
  t.teardown(() => app.close())
  app.get('/fast', async () => ({ ok: true }))
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
  /** How long until the server closes a connection that `opening` writes to, from its first byte back or its opening. */
  const closedAfter = async (opening: string) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(opening))
    let since = Date.now()
    socket.once('data', () => {
      since = Date.now()
    })
    await new Promise((resolve) => socket.once('close', resolve))
    return Date.now() - since
  }
  const idle = await closedAfter('')
  t.ok(idle >= 150 && idle < 2000, `a connection that sent nothing is closed at the idle limit (${idle} ms)`)
  // The wait for a kept-alive connection's next request keeps its own limit (72 s as shipped), to
  // which Node adds a second of grace.
  app.server.keepAliveTimeout = 400
  const kept = await closedAfter('GET /fast HTTP/1.1\r\nhost: test\r\n\r\n')
  t.ok(kept >= 300 && kept < 3000, `a kept-alive connection is closed at the keep-alive limit after its answer (${kept} ms)`)
})

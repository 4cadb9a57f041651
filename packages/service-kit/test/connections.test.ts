import { connect, type Socket } from 'node:net'
import t from 'tap'
import { createServer } from '../index.ts'
import { buildApp } from './build-app.ts'

t.test('the idle limit closes a connection that sends nothing, not one whose handler is at work, and a hung one later', async (t) => {
  const app = createServer({ LOG_LEVEL: 'silent', TRUSTED_PROXIES: '', BODY_LIMIT_BYTES: 1024 }, { slowestAnswerMs: 1500 })
  t.teardown(() => app.close())
  app.get('/fast', async () => ({ ok: true }))
  app.get('/slow', async () => {
    await new Promise((resolve) => setTimeout(resolve, 600))
    return { ok: true }
  })
  // Never answers, as a handler stuck for good, or an answer a client never reads.
  app.get('/hung', () => new Promise(() => {}))
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
  const hung = await closedAfter('GET /hung HTTP/1.1\r\nhost: test\r\n\r\n')
  t.ok(hung >= 1400 && hung < 4000, `a connection whose answer never comes is closed at slowestAnswerMs (${hung} ms)`)
  const idle = await closedAfter('')
  t.ok(idle >= 150 && idle < 2000, `a connection that sent nothing is closed at the idle limit (${idle} ms)`)
  // The wait for a kept-alive connection's next request keeps its own limit (72 s as shipped), to
  // which Node adds a second of grace.
  app.server.keepAliveTimeout = 400
  const kept = await closedAfter('GET /fast HTTP/1.1\r\nhost: test\r\n\r\n')
  t.ok(kept >= 300 && kept < 3000, `a kept-alive connection is closed at the keep-alive limit after its answer (${kept} ms)`)
})

/** Asks for `/fast` on `socket`: its answer's status line, or `closed` when the server closes it instead. */
const askOn = (socket: Socket) =>
  new Promise<string>((resolve) => {
    socket.once('data', (chunk) => resolve(String(chunk).split('\r\n')[0] as string))
    socket.once('close', () => resolve('closed'))
    socket.write('GET /fast HTTP/1.1\r\nhost: test\r\n\r\n')
  })

t.test('past MAX_CONNECTIONS a new connection is closed at once and counted; the ones held still answer', async (t) => {
  const app = await buildApp(t, {}, { MAX_CONNECTIONS: 3 })
  app.get('/fast', async () => ({ ok: true }))
  await app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.server.address() as { port: number }
  const open = async () => {
    const socket = connect(port, '127.0.0.1')
    await new Promise((resolve) => socket.once('connect', resolve))
    return socket
  }
  const held = [await open(), await open(), await open()]
  t.teardown(() => {
    for (const socket of held) socket.destroy()
  })
  t.equal(await askOn(await open()), 'closed', 'a fourth connection is closed unanswered')
  t.equal(await askOn(held[0] as Socket), 'HTTP/1.1 200 OK', 'one held goes on being served')
  t.match((await app.inject({ method: 'GET', url: '/metrics' })).body, /^http_connections_dropped_total 1$/m)

  // Once one is let go (the server hears of it a moment later), a new one is served.
  held.pop()?.destroy()
  let answer = 'closed'
  for (let tries = 0; answer === 'closed' && tries < 20; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 100))
    held[2] = await open()
    answer = await askOn(held[2])
  }
  t.equal(answer, 'HTTP/1.1 200 OK', 'once one is let go, a new one is served')
})

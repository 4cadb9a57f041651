import { request } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { installDrain } from '../lib/drain.ts'
import { createServer } from '../lib/server.ts'
import { buildApp } from './build-app.ts'

/** A promise and the function that resolves it. */
const gate = () => {
  let open = () => {}
  const opened = new Promise<void>((resolve) => {
    open = resolve
  })
  return { opened, open }
}

/** Sends a request to `url` and drops the connection once the server has it. */
async function abandonedRequest(url: string, started: Promise<void>) {
  const call = request(`${url}/work`, { method: 'POST', headers: { 'content-type': 'application/json' } })
  call.on('error', () => {})
  call.end('{}')
  await started
  call.destroy()
}

t.test('closing waits for a handler whose client went away before the onClose hooks run', async (t) => {
  const app = await buildApp(t)
  const events: string[] = []
  const started = gate()
  const release = gate()
  app.post('/work', async () => {
    started.open()
    await release.opened
    events.push('handler done')
    return { ok: true }
  })
  app.addHook('onClose', async () => {
    events.push('onClose')
  })
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  await abandonedRequest(url, started.opened)

  const closed = app.close()
  await sleep(100)
  t.same(events, [], 'nothing closed while the handler runs, though its connection is gone')
  release.open()
  await closed
  t.same(events, ['handler done', 'onClose'])
})

t.test('a handler that never ends holds closing for the timeout only', async (t) => {
  const app = createServer({ LOG_LEVEL: 'silent', TRUSTED_PROXIES: '', BODY_LIMIT_BYTES: 1024 })
  installDrain(app, 200)
  const started = gate()
  app.post('/work', async () => {
    started.open()
    await new Promise(() => {})
  })
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  await abandonedRequest(url, started.opened)

  const closing = Date.now()
  await app.close()
  const waited = Date.now() - closing
  t.ok(waited >= 190 && waited < 5_000, `closed after the 200 ms timeout (${waited} ms)`)
})

t.test('handlers that answer synchronously or send later themselves answer as before', async (t) => {
  const app = await buildApp(t)
  app.get('/now', (_request, reply) => {
    reply.send({ answered: 'now' })
  })
  app.get('/later', (_request, reply) => {
    setTimeout(() => reply.send({ answered: 'later' }), 20)
  })
  app.get('/returned', () => ({ answered: 'returned' }))
  for (const path of ['now', 'later', 'returned']) {
    const response = await app.inject({ method: 'GET', url: `/${path}` })
    t.equal(response.statusCode, 200, path)
    t.same(response.json(), { answered: path }, path)
  }
  await app.close()
})

import { request } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyInstance } from 'fastify'
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

/**
 * A `POST /work` whose handler runs until the function returned is called (then notes "handler
 * done" in `events`), and a request to it whose client has gone; `app` listens once it returns.
 */
async function abandonedWork(app: FastifyInstance, events: string[]) {
  const started = gate()
  const release = gate()
  app.post('/work', async () => {
    started.open()
    await release.opened
    events.push('handler done')
    return { ok: true }
  })
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  await abandonedRequest(url, started.opened)
  return release.open
}

t.test('closing waits for a handler whose client went away before the onClose hooks run', async (t) => {
  const app = await buildApp(t)
  const events: string[] = []
  app.addHook('onClose', async () => {
    events.push('onClose')
  })
  const release = await abandonedWork(app, events)

  const closed = app.close()
  await sleep(100)
  t.same(events, [], 'nothing closed while the handler runs, though its connection is gone')
  release()
  await closed
  t.same(events, ['handler done', 'onClose'])
})

t.test('a handler that never ends holds the wait for the timeout only', async (t) => {
  const app = createServer({ LOG_LEVEL: 'silent', TRUSTED_PROXIES: '', BODY_LIMIT_BYTES: 1024 })
  const drained = installDrain(app)
  const started = gate()
  app.post('/work', async () => {
    started.open()
    await new Promise(() => {})
  })
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  t.teardown(() => app.close())
  await abandonedRequest(url, started.opened)

  const waiting = Date.now()
  await drained(200)
  const waited = Date.now() - waiting
  t.ok(waited >= 190 && waited < 5_000, `gave up after the 200 ms timeout (${waited} ms)`)
})

t.test(
  'handlers that answer synchronously, send later themselves or return the reply answer as before, and are not left in the count',
  async (t) => {
    const app = createServer({ LOG_LEVEL: 'silent', TRUSTED_PROXIES: '', BODY_LIMIT_BYTES: 1024 })
    const drained = installDrain(app)
    t.teardown(() => app.close())
    app.get('/now', (_request, reply) => {
      reply.send({ answered: 'now' })
    })
    app.get('/later', (_request, reply) => {
      setTimeout(() => reply.send({ answered: 'later' }), 20)
    })
    app.get('/returned', () => ({ answered: 'returned' }))
    app.get('/reply', (_request, reply) => reply.send({ answered: 'reply' }))
    app.get('/async', async (_request, reply) => reply.send({ answered: 'async' }))
    for (const path of ['now', 'later', 'returned', 'reply', 'async']) {
      const response = await app.inject({ method: 'GET', url: `/${path}` })
      t.equal(response.statusCode, 200, path)
      t.same(response.json(), { answered: path }, path)
    }
    const settled = await Promise.race([drained(60_000).then(() => 'drained'), sleep(2_000).then(() => 'still counting')])
    t.equal(settled, 'drained', 'none of them left running in the count')
  },
)

t.test('a job in flight is told to stop at once, while the handlers still running finish', async (t) => {
  const app = await buildApp(t)
  const events: string[] = []
  const jobStarted = gate()
  app.scheduleJob({
    name: 'sweep',
    everySeconds: 0.01,
    run: async (signal) => {
      jobStarted.open()
      await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }))
      events.push('job stopped')
    },
  })
  const release = await abandonedWork(app, events)
  await jobStarted.opened

  const closed = app.close()
  await sleep(100)
  t.same(events, ['job stopped'], 'the job stopped without waiting for the handler')
  release()
  await closed
  t.same(events, ['job stopped', 'handler done'])
})

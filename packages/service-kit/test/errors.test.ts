import { connect } from 'node:net'
import createError from '@fastify/error'
import t from 'tap'
import { Type } from 'typebox'
import { errorReplies, withDetails } from '../index.ts'
import { buildApp } from './build-app.ts'

// What pg throws when the database is down, and the check a service would pass for it.
const connectionRefused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })
const refused = (error: unknown) => (error as { code?: unknown }).code === 'ECONNREFUSED'

t.test('errors take the documented shape, with a stable code', async (t) => {
  const app = await buildApp(t, { isUnavailable: refused })
  app.post(
    '/things',
    { schema: { body: Type.Object({ name: Type.String({ maxLength: 10 }), count: Type.Integer() }, { additionalProperties: false }) } },
    async (request) => request.body,
  )
  const SLOW_DOWN = createError('SLOW_DOWN', 'Slow down', 429)
  const attemptsLeft = { type: 'integer' }
  app.get('/limited', { schema: { response: errorReplies({ error: SLOW_DOWN, details: { attemptsLeft } }) } }, async () => {
    throw withDetails(new SLOW_DOWN(), { retryAfter: 7, attemptsLeft: 2, window: 'hour' })
  })
  app.get('/boom', async () => {
    throw new Error('secret internals: password=hunter2')
  })
  app.get('/db-down', async () => {
    throw connectionRefused()
  })

  const missing = await app.inject({ method: 'POST', url: '/things', payload: { count: 1 } })
  t.equal(missing.statusCode, 400)
  t.match(missing.json(), { statusCode: 400, code: 'VALIDATION_ERROR', error: 'Bad Request', message: /name/ })

  const wrongType = await app.inject({ method: 'POST', url: '/things', payload: { name: 'a', count: '1' } })
  t.match(wrongType.json(), { code: 'VALIDATION_ERROR', message: /count/ }, 'a body is not coerced')

  const stripped = await app.inject({ method: 'POST', url: '/things', payload: { name: 'a', count: 1, admin: true } })
  t.same(stripped.json(), { name: 'a', count: 1 }, 'unknown fields never reach the handler')

  const badJson = await app.inject({
    method: 'POST',
    url: '/things',
    payload: '{"name":',
    headers: { 'content-type': 'application/json' },
  })
  t.match(badJson.json(), { statusCode: 400, code: 'INVALID_BODY' })

  const tooLarge = await app.inject({ method: 'POST', url: '/things', payload: { name: 'x'.repeat(4096), count: 1 } })
  t.match(tooLarge.json(), { statusCode: 413, code: 'PAYLOAD_TOO_LARGE' })

  const wrongMedia = await app.inject({ method: 'POST', url: '/things', payload: 'name=a', headers: { 'content-type': 'text/plain' } })
  t.match(wrongMedia.json(), { statusCode: 415, code: 'UNSUPPORTED_MEDIA_TYPE' })

  const limited = await app.inject({ method: 'GET', url: '/limited' })
  t.equal(limited.headers['retry-after'], '7')
  t.same(
    limited.json(),
    { statusCode: 429, code: 'SLOW_DOWN', error: 'Too Many Requests', message: 'Slow down', retryAfter: 7, attemptsLeft: 2 },
    'the documented details are sent, and only those',
  )

  const boom = await app.inject({ method: 'GET', url: '/boom' })
  t.same(boom.json(), { statusCode: 500, code: 'INTERNAL_ERROR', error: 'Internal Server Error', message: 'Internal Server Error' })
  t.notMatch(boom.body, /hunter2/)

  const down = await app.inject({ method: 'GET', url: '/db-down' })
  t.match(down.json(), { statusCode: 503, code: 'SERVICE_UNAVAILABLE' })
  t.notMatch(down.body, /5432/)

  const unknown = await app.inject({ method: 'GET', url: '/nowhere?x=1' })
  t.match(unknown.json(), { statusCode: 404, code: 'NOT_FOUND', message: /GET \/nowhere/ })

  const undecodable = await app.inject({ method: 'GET', url: '/things/%zz' })
  t.match(undecodable.json(), { statusCode: 400, code: 'VALIDATION_ERROR', message: /path/ })
  t.match(undecodable.headers['x-request-id'], /^[0-9a-f-]{36}$/, 'refused by the router, still with its id')
})

t.test('a path parameter past any valid one reaches its route; one past the router’s bound is a 400', async (t) => {
  const app = await buildApp(t)
  app.get('/users/:id', { schema: { params: Type.Object({ id: Type.String({ maxLength: 36 }) }) } }, async () => ({}))
  const long = await app.inject({ method: 'GET', url: `/users/${'a'.repeat(101)}` })
  t.match(long.json(), { statusCode: 400, code: 'VALIDATION_ERROR', message: /id/ }, 'judged by the route')
  const huge = await app.inject({ method: 'GET', url: `/users/${'a'.repeat(2000)}` })
  t.match(huge.json(), { statusCode: 400, code: 'VALIDATION_ERROR', message: 'The request is not valid: a part of the path is too long' })
  t.match(huge.headers['x-request-id'], /^[0-9a-f-]{36}$/)
})

t.test('a request the HTTP parser refuses is answered in the documented shape, with an id, and its connection closed', async (t) => {
  const app = await buildApp(t)
  app.get('/ok', async () => ({ ok: true }))
  await app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.server.address() as { port: number }
  /** What the server sends back to `raw`, until it closes the connection. */
  const answerTo = (raw: string) =>
    new Promise<{ status: number; headers: string; body: unknown }>((resolve, reject) => {
      let received = ''
      const socket = connect(port, '127.0.0.1', () => socket.write(raw))
      socket.on('data', (chunk) => {
        received += chunk
      })
      socket.on('error', reject)
      socket.on('close', () => {
        const [head = '', body = ''] = received.split('\r\n\r\n')
        resolve({ status: Number(head.split(' ')[1]), headers: head, body: JSON.parse(body) })
      })
    })
  const cases: [string, string, number, string][] = [
    ['headers over the limit', `GET /ok HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(20_000)}\r\n\r\n`, 431, 'HEADERS_TOO_LARGE'],
    ['a length that is no number', 'POST /ok HTTP/1.1\r\nhost: x\r\ncontent-length: abc\r\n\r\n{}', 400, 'MALFORMED_REQUEST'],
    ['a request line that is no HTTP', 'HELLO THERE\r\n\r\n', 400, 'MALFORMED_REQUEST'],
  ]
  for (const [name, raw, status, code] of cases) {
    const answer = await answerTo(raw)
    t.equal(answer.status, status, name)
    t.match(answer.body, { statusCode: status, code, error: String, message: String }, name)
    t.match(answer.headers, /\r\nx-request-id: [0-9a-f-]{36}\r\n/i, `${name}: with an id`)
  }
})

t.test('without an isUnavailable check an outage is just an internal error', async (t) => {
  const app = await buildApp(t)
  app.get('/db-down', async () => {
    throw connectionRefused()
  })
  const down = await app.inject({ method: 'GET', url: '/db-down' })
  t.match(down.json(), { statusCode: 500, code: 'INTERNAL_ERROR' })
})

t.test('a failure is logged by its kind: cut short by the client, internal (even once the client has gone), or an outage', async (t) => {
  const app = await buildApp(t, { isUnavailable: refused })
  const logged: string[] = []
  app.addHook('onRequest', async (request) => {
    const note = (level: string) => (_: unknown, message: string) => logged.push(`${level}: ${message}`)
    request.log = Object.assign(Object.create(request.log), { error: note('error'), warn: note('warn'), info: note('info') })
  })
  let failed: () => void = () => {}
  const failures = new Promise<void>((resolve) => {
    failed = resolve
  })
  // Each fails once its client has hung up: one as a stream the client cut short does, one with a
  // fault of its own, which stays an error.
  let abandoned = 0
  const failAfterHangUp = (url: string, error: () => Error) =>
    app.get(url, async (request) => {
      await new Promise((resolve) => request.raw.once('close', resolve))
      if (++abandoned === 2) setImmediate(failed)
      throw error()
    })
  failAfterHangUp('/abandoned', () => Object.assign(new Error('aborted'), { code: 'ECONNRESET' }))
  failAfterHangUp('/abandoned-broken', () => new TypeError('broken after the client left'))
  // Each fails once its body has been read and a moment has passed, as a statement that fails does.
  const failing = (url: string, error: () => Error) =>
    app.post(url, async () => {
      await new Promise((resolve) => setTimeout(resolve, 50))
      throw error()
    })
  failing('/boom', () => new Error('broken'))
  failing('/down', connectionRefused)
  // The code of a cut stream, while the client is still there: a fault of the service's own.
  failing('/reset', () => Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))
  const base = await app.listen({ host: '127.0.0.1', port: 0 })
  for (const path of ['/abandoned', '/abandoned-broken']) {
    const aborted = new AbortController()
    const pending = fetch(`${base}${path}`, { signal: aborted.signal }).catch((error: Error) => error.name)
    await new Promise((resolve) => setTimeout(resolve, 100))
    aborted.abort()
    t.equal(await pending, 'AbortError')
  }
  await failures
  const post = (path: string) => fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
  t.equal((await post('/boom')).status, 500)
  t.equal((await post('/down')).status, 503)
  t.equal((await post('/reset')).status, 500)
  t.same(logged, [
    'info: the client went away before its answer',
    'error: request failed',
    'error: request failed',
    'warn: The service is temporarily unavailable',
    'error: request failed',
  ])
})

t.test('every response carries x-request-id, taken from the request when it is safe', async (t) => {
  const app = await buildApp(t)
  app.get('/echo', async (request) => ({ id: request.id }))

  const given = await app.inject({ method: 'GET', url: '/echo', headers: { 'x-request-id': 'abc-123' } })
  t.equal(given.headers['x-request-id'], 'abc-123')
  t.equal(given.json().id, 'abc-123', 'the request (and so its log lines) carries it')

  const generated = await app.inject({ method: 'GET', url: '/echo' })
  t.match(generated.headers['x-request-id'], /^[0-9a-f-]{36}$/)

  const hostile = await app.inject({ method: 'GET', url: '/echo', headers: { 'x-request-id': 'a\nb c' } })
  t.not(hostile.headers['x-request-id'], 'a\nb c')
  t.match(hostile.headers['x-request-id'], /^[0-9a-f-]{36}$/)

  const onError = await app.inject({ method: 'GET', url: '/missing', headers: { 'x-request-id': 'err-1' } })
  t.equal(onError.headers['x-request-id'], 'err-1')
})

t.test('metrics and the docs page are served', async (t) => {
  const app = await buildApp(t)
  app.get('/ping', { schema: { summary: 'ping' } }, async () => ({ ok: true }))
  await app.inject({ method: 'GET', url: '/ping' })
  const metrics = await app.inject({ method: 'GET', url: '/metrics' })
  t.equal(metrics.statusCode, 200)
  t.match(metrics.body, /http_request_duration_seconds_count\{method="GET",route="\/ping",status_code="200"\} 1/)
  t.match(metrics.body, /process_resident_memory_bytes/)

  const ui = await app.inject({ method: 'GET', url: '/docs' })
  t.ok(ui.statusCode < 400)
})

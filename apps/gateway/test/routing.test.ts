import t from 'tap'
import { json, rawRequest, servedCount, startGateway, startOtpInstances, stubInstance, testEnv } from './helpers.ts'

const otp = await startOtpInstances(t, 2, { OTP_IP_MAX: '4' })
const [first, second] = otp.instances as [(typeof otp.instances)[0], (typeof otp.instances)[0]]
const { url } = await startGateway(t, testEnv({ OTP_SERVICE_URLS: `${first.url}, ${second.url}` }))
const send = (to: string, headers: Record<string, string> = {}) =>
  fetch(`${url}/api/v1/otp/send`, {
    method: 'POST',
    headers: { ...json, ...headers },
    body: JSON.stringify({ channel: 'sms', to, purpose: 'login' }),
  })

t.test('a request goes to its service with its path as it is, and the answer comes back as it was', async (t) => {
  const reply = await send('+14155550100', { 'x-request-id': 'trace-1234' })
  t.equal(reply.status, 202)
  t.match(await reply.json(), { success: true, expiresIn: Number })
  t.equal(reply.headers.get('x-request-id'), 'trace-1234', 'the request id goes through')
  t.ok(await otp.lastCode('+14155550100'), 'the service delivered the code')
  const verify = await fetch(`${url}/api/v1/otp/verify`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ channel: 'sms', to: '+14155550100', purpose: 'login', code: await otp.lastCode('+14155550100') }),
  })
  t.equal(verify.status, 200, 'verified through the gateway, on whichever instance')
  const invalid = await fetch(`${url}/api/v1/otp/send`, { method: 'POST', headers: json, body: '{"channel":' })
  t.equal(invalid.status, 400)
  t.equal(((await invalid.json()) as { code: string }).code, 'INVALID_BODY', 'the service’s own answer')
})

const rawGet = (path: string) => rawRequest(url, { path })

t.test('internal routes, the services’ metrics and docs are not reachable from outside', async (t) => {
  for (const path of [
    '/internal/v1/stats',
    '/internal/v1/blocked-destinations',
    '/api/v1/otpx',
    '/api/v2/otp/send',
    '/docs/json/../../internal/v1/stats',
  ]) {
    const reply = await fetch(`${url}${path}`)
    t.equal(reply.status, 404, path)
    t.equal(((await reply.json()) as { code: string }).code, 'NOT_FOUND', path)
  }
  // Paths as an attacker sends them, not as fetch would clean them up.
  for (const path of [
    '/api/v1/otp/..%2f..%2finternal/v1/stats',
    '/api/v1/otp/%2e%2e/%2e%2e/internal/v1/stats',
    '/api/v1/otp/../../internal/v1/stats',
    '//internal/v1/stats',
    '/API/V1/OTP/../../internal/v1/stats',
    '/api/v1/otp/..\\..\\internal/v1/stats',
    '/api/v1/otp/%5c..%5c..%5cinternal/v1/stats',
    '/api/v1/otp/./send',
  ]) {
    const { status, body } = await rawGet(path)
    t.equal(status, 404, `${path}: no route of the API`)
    t.notMatch(body, /TOKEN_MISSING|"sent"/, `${path}: no internal route answered (it would want a service token)`)
  }
  const broken = await rawGet('/api/v1/otp/%zz/../../internal/v1/stats')
  t.same([broken.status, JSON.parse(broken.body).code], [400, 'VALIDATION_ERROR'], 'a path that cannot be decoded is refused')
  const metrics = await (await fetch(`${url}/metrics`)).text()
  t.match(metrics, /gateway_upstream_requests_total\{service="otp-service",status="2xx"\}/, 'the gateway’s own metrics')
  t.notMatch(metrics, /otp_codes_sent_total|otp_send/, 'not a service’s')
})

t.test('requests are spread over the instances', async (t) => {
  const before = await Promise.all(otp.instances.map((instance) => servedCount(instance, '/api/v1/otp/send')))
  for (let i = 0; i < 10; i++) await send(`+1415555020${i}`)
  const after = await Promise.all(otp.instances.map((instance) => servedCount(instance, '/api/v1/otp/send')))
  t.ok(
    after.every((count, i) => count > (before[i] as number)),
    `each instance served some: ${after.map((count, i) => count - (before[i] as number)).join(' and ')}`,
  )
})

t.test('a client cannot choose the address the services limit by', async (t) => {
  const statuses = []
  for (let i = 0; i < 6; i++) statuses.push((await send(`+1415555030${i}`, { 'x-forwarded-for': `203.0.113.${i}` })).status)
  t.ok(statuses.includes(429), `the per-address limit of the loopback address holds whatever the header says: ${statuses.join(', ')}`)
})

t.test('only the request and its answer cross the gateway, not the headers of either hop', async (t) => {
  const received: Record<string, unknown>[] = []
  const stub = await stubInstance(t, (request, response) => {
    received.push(request.headers)
    response.writeHead(200, {
      'content-type': 'application/json',
      'content-length': '11',
      connection: 'keep-alive, x-service-hop',
      'x-service-hop': 'internal',
      'proxy-authenticate': 'Basic',
      'x-kept': 'yes',
    })
    response.end(request.method === 'HEAD' ? undefined : '{"ok":true}')
  })
  const gateway = await startGateway(t, testEnv({ OTP_SERVICE_URLS: stub.url }))
  const answer = await rawRequest(gateway.url, {
    path: '/api/v1/otp/hops',
    headers: { connection: 'keep-alive, x-client-hop', 'x-client-hop': 'mine', 'x-kept': 'yes' },
  })
  t.same([answer.status, answer.body], [200, '{"ok":true}'])
  t.match(received[0], { 'x-kept': 'yes' }, 'the request’s own headers go on')
  t.notOk('x-client-hop' in (received[0] ?? {}), 'a header the client’s Connection names stays on its hop')
  t.equal(answer.headers['x-kept'], 'yes', 'the answer’s own headers come back')
  t.notOk('x-service-hop' in answer.headers, 'a header the service’s Connection names stays on its hop')
  t.notOk('proxy-authenticate' in answer.headers)

  const head = await rawRequest(gateway.url, { method: 'HEAD', path: '/api/v1/otp/hops' })
  t.same([head.status, head.headers['content-length']], [200, '11'], 'a HEAD keeps the length of the answer it stands for')

  for (const [method, path] of [
    ['TRACE', '/api/v1/otp/hops'],
    ['GET', 'http://internal.example/api/v1/otp/hops'],
    ['GET', '/api/v1/otp/hops#/../../internal/v1/stats'],
  ] as const) {
    t.equal((await rawRequest(gateway.url, { method, path })).status, 404, `${method} ${path} is no route of the API`)
  }
  t.same(stub.requests, ['GET /api/v1/otp/hops', 'HEAD /api/v1/otp/hops'], 'nothing else reached the service')
})

t.test('an answer that comes in pieces goes back whole, with its length', async (t) => {
  const stub = await stubInstance(t, (_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' })
    response.write('{"part":')
    setTimeout(() => response.end('"two"}'), 20)
  })
  const gateway = await startGateway(t, testEnv({ OTP_SERVICE_URLS: stub.url }))
  const answer = await rawRequest(gateway.url, { path: '/api/v1/otp/pieces' })
  t.same([answer.status, answer.body, answer.headers['content-length']], [200, '{"part":"two"}', '14'])
  t.notOk('transfer-encoding' in answer.headers, 'sent in one piece')
})

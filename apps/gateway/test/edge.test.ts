import t from 'tap'
import { json, rawRequest, servedCount, startGateway, startOtpInstances, testEnv } from './helpers.ts'

const otp = await startOtpInstances(t, 1)
const [instance] = otp.instances as [(typeof otp.instances)[0]]
const { url } = await startGateway(
  t,
  testEnv({
    OTP_SERVICE_URLS: instance.url,
    CORS_ORIGINS: 'https://app.example.com',
    RATE_LIMIT_PER_MINUTE: '12',
    BODY_LIMIT_BYTES: '1024',
  }),
)
const sendBody = JSON.stringify({ channel: 'sms', to: '+14155550700', purpose: 'login' })

t.test('CORS answers only the configured origins, preflight included', async (t) => {
  const preflight = await fetch(`${url}/api/v1/otp/send`, {
    method: 'OPTIONS',
    headers: {
      origin: 'https://app.example.com',
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type',
    },
  })
  t.equal(preflight.status, 204)
  t.equal(preflight.headers.get('access-control-allow-origin'), 'https://app.example.com')
  t.match(preflight.headers.get('access-control-allow-methods'), /POST/)

  const allowed = await fetch(`${url}/api/v1/otp/send`, {
    method: 'POST',
    headers: { ...json, origin: 'https://app.example.com' },
    body: sendBody,
  })
  t.equal(allowed.headers.get('access-control-allow-origin'), 'https://app.example.com')
  t.match(allowed.headers.get('access-control-expose-headers'), /x-request-id/)
  const other = await fetch(`${url}/api/v1/otp/send`, {
    method: 'POST',
    headers: { ...json, origin: 'https://evil.example' },
    body: sendBody,
  })
  t.equal(other.headers.get('access-control-allow-origin'), null, 'another origin gets no CORS grant')
})

t.test('security headers on every answer', async (t) => {
  for (const path of ['/api/v1/otp/send', '/internal/v1/stats', '/health/live']) {
    const reply = await fetch(`${url}${path}`, {
      method: path.startsWith('/api') ? 'POST' : 'GET',
      headers: json,
      body: path.startsWith('/api') ? sendBody : undefined,
    })
    t.equal(reply.headers.get('x-content-type-options'), 'nosniff', path)
    if (path.startsWith('/api')) t.match(reply.headers.get('content-security-policy'), /default-src 'none'/, path)
    t.match(reply.headers.get('strict-transport-security'), /max-age=/, path)
    t.equal(reply.headers.get('x-powered-by'), null, path)
  }
})

t.test('headers of the client’s own hop never reach a service', async (t) => {
  const { status } = await rawRequest(url, {
    method: 'POST',
    path: '/api/v1/otp/send',
    headers: {
      ...json,
      connection: 'close',
      'keep-alive': 'timeout=5',
      upgrade: 'websocket',
      te: 'trailers',
      trailer: 'x-a',
      'proxy-authorization': 'Basic eA==',
    },
    body: JSON.stringify({ channel: 'sms', to: '+14155550701', purpose: 'login' }),
  })
  t.equal(status, 202, 'passed on without them, not refused as an outage')
})

t.test('what the gateway refuses never reaches a service', async (t) => {
  const before = await servedCount(instance, '/api/v1/otp/send')
  const tooLarge = await fetch(`${url}/api/v1/otp/send`, { method: 'POST', headers: json, body: JSON.stringify({ pad: 'x'.repeat(2000) }) })
  t.equal(tooLarge.status, 413)
  t.equal(((await tooLarge.json()) as { code: string }).code, 'PAYLOAD_TOO_LARGE')
  const text = await fetch(`${url}/api/v1/otp/send`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello' })
  t.equal(text.status, 415)
  t.equal(await servedCount(instance, '/api/v1/otp/send'), before)
})

t.test('a coarse ceiling per client address, with Retry-After', async (t) => {
  let limited: Response | undefined
  for (let i = 0; i < 15 && !limited; i++) {
    const reply = await fetch(`${url}/api/v1/otp/unknown`, { headers: { 'x-forwarded-for': `198.51.100.${i}` } })
    if (reply.status === 429) limited = reply
  }
  if (!limited) return t.fail('never limited, whatever X-Forwarded-For said')
  t.equal(((await limited.json()) as { code: string }).code, 'RATE_LIMITED')
  t.ok(Number(limited.headers.get('retry-after')) > 0)
  t.equal((await fetch(`${url}/health/live`)).status, 200, 'the gateway’s own routes are not limited')
})

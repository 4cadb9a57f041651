import type { ServerResponse } from 'node:http'
import t, { type Test } from 'tap'
import { json, servedCount, standIn, startGateway, startOtpInstances, stubInstance, testEnv, until } from './helpers.ts'

const sendBody = (to: string) => JSON.stringify({ channel: 'sms', to, purpose: 'login' })
const post = (url: string, to: string) => fetch(`${url}/api/v1/otp/send`, { method: 'POST', headers: json, body: sendBody(to) })

t.test('an instance that dies: the next sends still succeed, it leaves the rotation, and comes back', async (t) => {
  const otp = await startOtpInstances(t, 2)
  const [first, second] = otp.instances as [(typeof otp.instances)[0], (typeof otp.instances)[0]]
  const { url } = await startGateway(t, testEnv({ OTP_SERVICE_URLS: `${first.url},${second.url}` }))
  t.equal((await post(url, '+14155550400')).status, 202)

  await second.kill()
  const statuses = []
  for (let i = 0; i < 6; i++) statuses.push((await post(url, `+1415555041${i}`)).status)
  t.same(statuses, [202, 202, 202, 202, 202, 202], 'a send that could not connect went to the other instance')
  const health = (await (await fetch(`${url}/health`)).json()) as { checks: Record<string, { status: string }> }
  t.equal(health.checks['otp-service']?.status, 'up', 'still ready: otp-service has an instance')
  t.match(
    await (await fetch(`${url}/metrics`)).text(),
    /gateway_upstream_instance_up\{service="otp-service",instance="http:\/\/127\.0\.0\.1:\d+"\} 0/,
  )

  await first.kill()
  const started = Date.now()
  const down = await post(url, '+14155550420')
  t.equal(down.status, 503)
  t.match(await down.json(), { code: 'UPSTREAM_UNAVAILABLE', message: /otp-service/ })
  t.ok(Date.now() - started < 2000, `answered in ${Date.now() - started} ms, not a hang`)
  const otpDown = async () => {
    const health = (await (await fetch(`${url}/health`)).json()) as { status: string; checks: Record<string, { status: string }> }
    return health.status === 'down' && health.checks['otp-service']?.status === 'down'
  }
  t.ok(await until(otpDown, 2000), '/health is 503, naming the service that is down')
  const again = Date.now()
  const none = await post(url, '+14155550421')
  t.equal(none.status, 503, 'with no instance in rotation: answered at once')
  t.ok(Date.now() - again < 500)

  const [revived] = (await startOtpInstances(t, 1, { PORT: String(first.port) })).instances
  t.ok(revived)
  t.ok(await until(async () => (await post(url, '+14155550430')).status === 202, 3000), 'back in rotation by itself')
})

t.test('a readiness check left unanswered once keeps the instance in rotation; twice in a row takes it out', async (t) => {
  // Checks it leaves unanswered, from now on; every other one it answers ready.
  let unanswered = 0
  let checks = 0
  const instance = await standIn(t, (request, response) => {
    if (request.url !== '/health/ready') return response.writeHead(200, json).end('{"from":"instance"}')
    checks++
    if (unanswered > 0) unanswered--
    else response.writeHead(200, json).end('{"status":"ok"}')
  })
  const { url } = await startGateway(
    t,
    testEnv({ OTP_SERVICE_URLS: instance, HEALTH_CHECK_INTERVAL_MS: '200', RATE_LIMIT_PER_MINUTE: '0' }),
  )
  const status = async () => (await fetch(`${url}/api/v1/otp/anything`)).status
  /** Requests to the service, one after another, until `checksMore` more checks came. */
  const statusesFor = async (checksMore: number) => {
    const statuses = new Set<number>()
    for (const until = checks + checksMore; checks < until; ) statuses.add(await status())
    return statuses
  }
  t.same(await statusesFor(2), new Set([200]))

  unanswered = 1
  t.same(await statusesFor(3), new Set([200]), 'one check left unanswered, then answered ones: no request refused')

  unanswered = Number.POSITIVE_INFINITY
  const from = checks
  t.ok(await until(async () => (await status()) === 503, 5000), 'every check left unanswered: out of rotation, 503 at once')
  t.ok(checks - from >= 2, `after ${checks - from} checks in a row`)
  unanswered = 0
  t.ok(await until(async () => (await status()) === 200, 5000), 'answered again: back in rotation')
})

t.test('a request that reached an instance is never sent twice; one that could safely run again is', async (t) => {
  const otp = await startOtpInstances(t, 1)
  const [healthy] = otp.instances as [(typeof otp.instances)[0]]
  const dropping = await stubInstance(t, (request) => request.socket.destroy())
  const { url } = await startGateway(t, testEnv({ OTP_SERVICE_URLS: `${dropping.url},${healthy.url}`, UPSTREAM_TIMEOUT_MS: '500' }))

  const before = await servedCount(healthy, '/api/v1/otp/send')
  const outcomes = []
  for (let i = 0; i < 4; i++) outcomes.push((await post(url, `+1415555050${i}`)).status)
  const dropped = dropping.requests.filter((request) => request.startsWith('POST')).length
  t.ok(dropped > 0, 'some sends went to the instance that drops connections')
  t.equal(
    outcomes.filter((status) => status === 504).length,
    dropped,
    'each of those failed as one that may have run (UPSTREAM_TIMEOUT), rather than being sent again',
  )
  t.equal((await servedCount(healthy, '/api/v1/otp/send')) - before, 4 - dropped, 'the healthy instance got only the others')

  const reads = []
  for (let i = 0; i < 4; i++) reads.push((await fetch(`${url}/api/v1/otp/unknown-route`)).status)
  t.same(reads, [404, 404, 404, 404], 'a GET whose connection dropped was tried on the other instance')
})

t.test('an instance taken out of rotation while a request to it fails: the others still get their try', async (t) => {
  const other = await stubInstance(t, (_request, response) => response.writeHead(200, json).end('{"from":"other"}'))
  let ready = true
  let gateway = ''
  let leavingUrl = ''
  const outOfRotation = async () =>
    (await (await fetch(`${gateway}/metrics`)).text()).includes(
      `gateway_upstream_instance_up{service="otp-service",instance="${leavingUrl}"} 0`,
    )
  const leaving = await stubInstance(
    t,
    (request) => {
      ready = false
      // Its connection breaks only once a health check has taken it out.
      void until(outOfRotation, 5000).then(() => request.socket.destroy())
    },
    () => ready,
  )
  leavingUrl = leaving.url
  gateway = (await startGateway(t, testEnv({ OTP_SERVICE_URLS: `${leaving.url},${other.url}` }))).url
  const statuses = []
  while (leaving.requests.length === 0 && statuses.length < 20) statuses.push((await fetch(`${gateway}/api/v1/otp/anything`)).status)
  t.same(leaving.requests, ['GET /api/v1/otp/anything'], 'one read went to the instance that left')
  t.same(new Set(statuses), new Set([200]), 'and was answered by the other')
})

t.test('instances that take a request and never answer: 504 after UPSTREAM_TIMEOUT_MS, and sent only once', async (t) => {
  const [hanging, other] = [await stubInstance(t, () => {}), await stubInstance(t, () => {})]
  const { url } = await startGateway(t, testEnv({ OTP_SERVICE_URLS: `${hanging.url},${other.url}`, UPSTREAM_TIMEOUT_MS: '300' }))
  const started = Date.now()
  const reply = await post(url, '+14155550600')
  t.equal(reply.status, 504)
  t.equal(((await reply.json()) as { code: string }).code, 'UPSTREAM_TIMEOUT')
  t.ok(Date.now() - started < 2000)
  t.same([...hanging.requests, ...other.requests], ['POST /api/v1/otp/send'], 'one instance got it; the other never did')
})

t.test('an answer no service of the API gives (over 1 MiB, a status beyond HTTP’s) is refused, not held or passed on', async (t) => {
  const huge = await stubInstance(t, (_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' })
    response.end(`"${'x'.repeat(2 * 1024 * 1024)}"`)
  })
  const strange = await stubInstance(t, (_request, response) => response.writeHead(999).end())
  for (const instance of [huge, strange]) {
    const { url } = await startGateway(t, testEnv({ OTP_SERVICE_URLS: instance.url }))
    const reply = await fetch(`${url}/api/v1/otp/anything`)
    t.equal(reply.status, 503)
    t.equal(((await reply.json()) as { code: string }).code, 'UPSTREAM_UNAVAILABLE')
  }
})

/** An instance that holds every request until the test answers it. */
async function holdingInstance(t: Test) {
  const held: ServerResponse[] = []
  const instance = await stubInstance(t, (_request, response) => held.push(response))
  const answer = (i: number) => held[i]?.writeHead(202, json).end('{"success":true}')
  return { ...instance, held, answer }
}

t.test('every connection to a service busy: a request waits at most UPSTREAM_QUEUE_TIMEOUT_MS, then 503, never sent later', async (t) => {
  const slow = await holdingInstance(t)
  const { url } = await startGateway(
    t,
    testEnv({ OTP_SERVICE_URLS: slow.url, UPSTREAM_CONNECTIONS: '1', UPSTREAM_QUEUE_TIMEOUT_MS: '300', UPSTREAM_TIMEOUT_MS: '10000' }),
  )
  const first = post(url, '+14155550700')
  t.ok(await until(async () => slow.held.length === 1, 2000), 'the first send holds the one connection')

  const started = Date.now()
  const waited = await post(url, '+14155550701')
  t.equal(waited.status, 503)
  t.equal(((await waited.json()) as { code: string }).code, 'UPSTREAM_UNAVAILABLE', 'it never ran, so it may be sent again')
  t.ok(Date.now() - started < 2000, `answered in ${Date.now() - started} ms`)

  slow.answer(0)
  t.equal((await first).status, 202)
  const again = post(url, '+14155550702')
  t.ok(await until(async () => slow.held.length === 2, 2000), 'the connection serves again')
  slow.answer(1)
  t.equal((await again).status, 202)
  t.same(slow.requests, ['POST /api/v1/otp/send', 'POST /api/v1/otp/send'], 'the one given up was never sent')
  t.match(
    await (await fetch(`${url}/metrics`)).text(),
    /gateway_upstream_errors_total\{service="otp-service",code="UPSTREAM_QUEUE_TIMEOUT"\} 1/,
  )
})

t.test('a request whose client leaves while it waits for a connection is never sent; the one behind it is', async (t) => {
  const slow = await holdingInstance(t)
  const { url } = await startGateway(t, testEnv({ OTP_SERVICE_URLS: slow.url, UPSTREAM_CONNECTIONS: '1', UPSTREAM_TIMEOUT_MS: '10000' }))
  const first = post(url, '+14155550710')
  t.ok(await until(async () => slow.held.length === 1, 2000))
  const leaving = new AbortController()
  const leaves = fetch(`${url}/api/v1/otp/send`, { method: 'POST', headers: json, body: sendBody('+14155550711'), signal: leaving.signal })
  await new Promise((resolve) => setTimeout(resolve, 50))
  const stays = post(url, '+14155550712')
  await new Promise((resolve) => setTimeout(resolve, 50))
  leaving.abort()
  await t.rejects(leaves)
  // Time for the gateway to see the connection close (no deadline runs out meanwhile: 2 s).
  await new Promise((resolve) => setTimeout(resolve, 200))
  slow.answer(0)
  t.equal((await first).status, 202)
  t.ok(await until(async () => slow.held.length === 2, 2000), 'the next in line is sent once the connection frees')
  slow.answer(1)
  t.equal((await stays).status, 202)
  t.same(slow.requests, ['POST /api/v1/otp/send', 'POST /api/v1/otp/send'], 'the one whose client left was not')
})

t.test("a route held up (sends waiting on a stalled provider) leaves the service's other routes answering", async (t) => {
  const held: ServerResponse[] = []
  const instance = await stubInstance(t, (request, response) => {
    if (request.url === '/api/v1/otp/send') held.push(response)
    else response.writeHead(200, json).end('{"answered":true}')
  })
  const { url } = await startGateway(t, testEnv({ OTP_SERVICE_URLS: instance.url }))
  const stalled = Array.from({ length: 150 }, (_, i) => post(url, `+1415555${String(800 + i).padStart(4, '0')}`))
  t.ok(await until(async () => held.length === 150, 5000), 'more sends held at once than the connections of a small pool')
  const other = await fetch(`${url}/api/v1/otp/anything`)
  t.equal(other.status, 200, 'another route answered, not left waiting for a connection (then 503)')
  for (const response of held) response.writeHead(202, json).end('{"success":true}')
  t.same(new Set((await Promise.all(stalled)).map((reply) => reply.status)), new Set([202]))
})

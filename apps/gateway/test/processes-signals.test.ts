import { setTimeout as sleep } from 'node:timers/promises'
import { until } from '@otp-suite/testing'
import t from 'tap'
import { json, rawRequest, stubInstance } from './helpers.ts'
import { inTwoProcesses, pidsLogging } from './processes-helpers.ts'

// Stopping a service that runs in two processes (PROCESSES=2): the supervisor asks each to close.
// A terminal's Ctrl-C, Ctrl-\, a hang-up and a service manager's stop signal every process of the group.
for (const signal of ['SIGINT', 'SIGQUIT', 'SIGTERM', 'SIGHUP'] as const) {
  t.test(`${signal} to every process: each closes once, a request in flight gets its answer, exit code 0`, async (t) => {
    let release = () => {}
    const released = new Promise<void>((resolve) => {
      release = resolve
    })
    const otpService = await stubInstance(t, (request, response) => {
      request.resume()
      void released.then(() => response.writeHead(200, json).end('{"answered":true}'))
    })
    const [service, first, second] = await inTwoProcesses(t, { OTP_SERVICE_URLS: otpService.url })
    const answer = rawRequest(service.url, { method: 'POST', path: '/api/v1/otp/send', headers: json, body: '{}' })
    t.ok(await until(() => otpService.requests.length === 1, 5_000), 'the request is in flight')
    for (const pid of [service.pid, first, second]) process.kill(pid, signal)
    await sleep(300)
    release()
    const { status, body } = await answer
    t.same({ status, body: JSON.parse(body) }, { status: 200, body: { answered: true } }, 'the request in flight was answered')
    t.equal(await service.exited, 0, 'the supervisor exited with code 0')
    t.same(pidsLogging(service.output(), 'closing').sort(), [first, second].sort(), 'each process closed once')
  })
}

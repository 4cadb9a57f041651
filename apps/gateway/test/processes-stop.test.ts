import { childrenOf, until } from '@otp-suite/testing'
import t from 'tap'
import { json, rawRequest, stubInstance } from './helpers.ts'
import { alive, inTwoProcesses, pidsLogging, stall } from './processes-helpers.ts'

// Stopping a service that runs in two processes (PROCESSES=2): the supervisor asks each to close.
t.test('a stop while a replacement process is starting still exits with code 0', async (t) => {
  const [service, first, second] = await inTwoProcesses(t)
  process.kill(first, 'SIGKILL')
  t.ok(await until(() => childrenOf(service.pid).some((pid) => pid !== first && pid !== second), 10_000), 'a replacement is starting')
  t.notOk(pidsLogging(service.output(), 'Server listening').length > 2, 'and does not listen yet')
  process.kill(service.pid, 'SIGTERM')
  t.equal(await service.exited, 0)
  t.same(pidsLogging(service.output(), 'closing'), [second], 'the process that served closed')
})

t.test('a process that does not end is killed at a second signal, and the supervisor exits with code 1', async (t) => {
  const [service, first, second] = await inTwoProcesses(t)
  stall(t, first)
  process.kill(service.pid, 'SIGTERM')
  t.ok(await until(() => !alive(second), 10_000), 'the other process closed')
  t.ok(alive(service.pid), 'the supervisor waits for the one left')
  process.kill(service.pid, 'SIGTERM')
  t.equal(await service.exited, 1)
  t.same(pidsLogging(service.output(), 'a second SIGTERM'), [service.pid], 'killed at the second signal')
  t.ok(await until(() => !alive(first), 5_000), 'the stalled process is gone')
})

t.test('a process that does not end is killed at the stop deadline, and the supervisor exits with code 1', async (t) => {
  const [service, first] = await inTwoProcesses(t, { SHUTDOWN_TIMEOUT_MS: '500' })
  stall(t, first)
  process.kill(service.pid, 'SIGTERM')
  t.equal(await service.exited, 1)
  t.same(pidsLogging(service.output(), 'processes of the service still running at the stop deadline'), [service.pid])
  t.ok(await until(() => !alive(first), 5_000), 'the stalled process is gone')
})

t.test(
  'a process whose close outlasts SHUTDOWN_TIMEOUT_MS exits with code 1, and so does the supervisor, before its deadline',
  async (t) => {
    // A request that is never answered holds its process's close.
    const otpService = await stubInstance(t, (request) => request.resume())
    const [service, first, second] = await inTwoProcesses(t, { OTP_SERVICE_URLS: otpService.url, SHUTDOWN_TIMEOUT_MS: '500' })
    const answer = rawRequest(service.url, { method: 'POST', path: '/api/v1/otp/send', headers: json, body: '{}' }).catch(
      (error: Error) => error,
    )
    t.ok(await until(() => otpService.requests.length === 1, 5_000), 'a request is in flight')
    process.kill(service.pid, 'SIGTERM')
    t.equal(await service.exited, 1)
    t.same(pidsLogging(service.output(), 'closing').sort(), [first, second].sort(), 'both were asked to close')
    t.same(pidsLogging(service.output(), 'processes of the service still running at the stop deadline'), [], 'none had to be killed')
    t.type(await answer, Error, 'the request held past the timeout was cut')
  },
)

import { readFileSync } from 'node:fs'
import { get } from 'node:http'
import { createServer } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { type RunningService, servedCount, spawnServer, startService, until } from '@otp-suite/testing'
import t, { type Test } from 'tap'
import { json, rawRequest, stubInstance, testEnv } from './helpers.ts'

/** The pids of the processes that logged a line with `message` (and `extra`), in the order they did. */
const pidsLogging = (output: string, message: string, extra = '') =>
  output
    .split('\n')
    .filter((line) => line.includes(`"msg":"${message}`) && line.includes(extra))
    .map((line) => (JSON.parse(line) as { pid: number }).pid)

/** One request on a connection of its own, so the kernel hands it to whichever process takes it first. */
const onNewConnection = (url: string) =>
  new Promise<number>((resolve, reject) => {
    get(`${url}/health/live`, { agent: false }, (response) => {
      response.resume().on('end', () => resolve(response.statusCode as number))
    }).on('error', reject)
  })

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}
const parentOf = (pid: number) => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[1])
const childrenOf = (pid: number) => readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number)

/** The gateway in two processes (`env` added), once both listen; their pids. */
async function inTwoProcesses(t: Test, env: Record<string, string> = {}): Promise<[RunningService, number, number]> {
  const service = await startService(t, 'gateway', { ...testEnv(), LOG_LEVEL: 'info', PROCESSES: '2', ...env } as Record<string, string>)
  t.ok(await until(() => pidsLogging(service.output(), 'Server listening').length === 2, 20_000), 'two processes listen')
  const [first, second] = pidsLogging(service.output(), 'Server listening') as [number, number]
  return [service, first, second]
}

/** A process of the service that no signal but SIGKILL ends (stopped, as a hung one would be). */
function stall(t: Test, pid: number) {
  process.kill(pid, 'SIGSTOP')
  t.teardown(() => {
    if (alive(pid)) process.kill(pid, 'SIGKILL')
  })
}

t.test('a service in two processes: both serve the port, the metrics add up, a dead one is replaced, SIGTERM ends all', async (t) => {
  const service = await startService(t, 'gateway', { ...testEnv(), LOG_LEVEL: 'info', PROCESSES: '2' } as Record<string, string>)
  const listening = () => new Set(pidsLogging(service.output(), 'Server listening'))
  await until(() => listening().size === 2, 20_000)
  const [first, second] = [...listening()] as [number, number]
  t.equal(parentOf(first), parentOf(second), 'two processes of one supervisor')

  // New connections until each process has answered some.
  const statuses: number[] = []
  while (new Set(pidsLogging(service.output(), 'incoming request', '"/health/live"')).size < 2 && statuses.length < 500) {
    statuses.push(await onNewConnection(service.url))
  }
  const sent = statuses.length
  t.same(new Set(statuses), new Set([200]), `${sent} requests answered`)
  t.same(new Set(pidsLogging(service.output(), 'incoming request', '"/health/live"')), new Set([first, second]), 'both answered')
  t.equal(await servedCount(service, '/health/live'), sent, '/metrics counts the requests of both processes')

  const supervisor = parentOf(first)
  process.kill(first, 'SIGKILL')
  t.equal(await onNewConnection(service.url), 200, 'the other one still answers')
  await until(() => listening().size === 3, 20_000)
  t.ok(alive(second), 'the other one lived on')
  const replacement = [...listening()].find((pid) => pid !== first && pid !== second) as number
  t.equal(parentOf(replacement), supervisor, 'the dead one was replaced')

  process.kill(supervisor, 'SIGTERM')
  t.ok(await until(() => ![supervisor, second, replacement].some(alive), 15_000), 'SIGTERM ended the supervisor and its processes')
})

// A terminal's Ctrl-C, a hang-up and a service manager's stop signal every process of the group.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
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

t.test('a process that cannot listen (its port taken) ends them all with exit code 1, not a restart loop', async (t) => {
  const taken = createServer().listen(0, '127.0.0.1')
  await new Promise((resolve) => taken.once('listening', resolve))
  t.teardown(() => taken.close())
  const port = (taken.address() as { port: number }).port
  const child = spawnServer(new URL('..', import.meta.url).pathname, {
    ...process.env,
    ...testEnv(),
    PROCESSES: '2',
    PORT: String(port),
  } as NodeJS.ProcessEnv)
  t.teardown(() => child.kill('SIGKILL'))
  const code = await new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)))
  t.equal(code, 1)
})

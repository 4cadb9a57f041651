import { createServer } from 'node:net'
import { processStat, servedCount, spawnServer, startService, until } from '@otp-suite/testing'
import t from 'tap'
import { testEnv } from './helpers.ts'
import { alive, onNewConnection, pidsLogging } from './processes-helpers.ts'

t.test('a service in two processes: both serve the port, the metrics add up, a dead one is replaced, SIGTERM ends all', async (t) => {
  const service = await startService(t, 'gateway', { ...testEnv(), LOG_LEVEL: 'info', PROCESSES: '2' } as Record<string, string>)
  const listening = () => new Set(pidsLogging(service.output(), 'Server listening'))
  await until(() => listening().size === 2, 20_000)
  const [first, second] = [...listening()] as [number, number]
  t.equal(processStat(first).parent, processStat(second).parent, 'two processes of one supervisor')

  // New connections until each process has answered some.
  const statuses: number[] = []
  while (new Set(pidsLogging(service.output(), 'incoming request', '"/health/live"')).size < 2 && statuses.length < 500) {
    statuses.push(await onNewConnection(service.url))
  }
  const sent = statuses.length
  t.same(new Set(statuses), new Set([200]), `${sent} requests answered`)
  t.same(new Set(pidsLogging(service.output(), 'incoming request', '"/health/live"')), new Set([first, second]), 'both answered')
  t.equal(await servedCount(service, '/health/live'), sent, '/metrics counts the requests of both processes')

  const supervisor = processStat(first).parent
  process.kill(first, 'SIGKILL')
  t.equal(await onNewConnection(service.url), 200, 'the other one still answers')
  await until(() => listening().size === 3, 20_000)
  t.ok(alive(second), 'the other one lived on')
  const replacement = [...listening()].find((pid) => pid !== first && pid !== second) as number
  t.equal(processStat(replacement).parent, supervisor, 'the dead one was replaced')

  process.kill(supervisor, 'SIGTERM')
  t.ok(await until(() => ![supervisor, second, replacement].some(alive), 15_000), 'SIGTERM ended the supervisor and its processes')
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

import t from 'tap'
import { alive, inTwoProcesses, onNewConnection, pidsLogging } from './processes-helpers.ts'

// A service in two processes (PROCESSES=2) whose supervisor is itself held up, as by a paused host.
t.test('a supervisor held up longer than a silence it kills for kills no process once it runs again', async (t) => {
  const [service, first, second] = await inTwoProcesses(t)
  process.kill(service.pid, 'SIGSTOP')
  await new Promise((resolve) => setTimeout(resolve, 12_000))
  process.kill(service.pid, 'SIGCONT')
  // Past a few of its looks at the processes.
  await new Promise((resolve) => setTimeout(resolve, 3_000))
  t.same(pidsLogging(service.output(), 'a process of the service stopped answering'), [], 'none taken for hung')
  t.ok(alive(first) && alive(second), 'both live on')
  t.equal(await onNewConnection(service.url), 200)
  t.equal(pidsLogging(service.output(), 'Server listening').length, 2, 'and none was replaced')
})

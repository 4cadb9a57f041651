import { setTimeout as pause } from 'node:timers/promises'
import t from 'tap'
import { alive, inTwoProcesses, onNewConnection, pidsLogging } from './processes-helpers.ts'

// A service in two processes (PROCESSES=2) held up whole, as by a paused host.
t.test('a service held up longer than the silence a process is killed for loses no process once it runs again', async (t) => {
  const [service, first, second] = await inTwoProcesses(t)
  // The whole service held up, then the supervisor running again before its processes do: nothing
  // they sent waits for it, and its first looks find them silent.
  const held = [service.pid, first, second]
  t.teardown(() => {
    for (const pid of held) if (alive(pid)) process.kill(pid, 'SIGCONT')
  })
  for (const pid of held) process.kill(pid, 'SIGSTOP')
  await pause(12_000)
  process.kill(service.pid, 'SIGCONT')
  await pause(2_000)
  for (const pid of [first, second]) process.kill(pid, 'SIGCONT')
  // Past a few more of its looks.
  await pause(3_000)
  t.same(pidsLogging(service.output(), 'a process of the service stopped answering'), [], 'none taken for hung')
  t.ok(alive(first) && alive(second), 'both live on')
  t.equal(await onNewConnection(service.url), 200)
  t.equal(pidsLogging(service.output(), 'Server listening').length, 2, 'and none was replaced')
})

import { processStat, until } from '@otp-suite/testing'
import t from 'tap'
import { alive, inTwoProcesses, onNewConnection, pidsLogging, stall } from './processes-helpers.ts'

// A service in two processes (PROCESSES=2) whose one process hangs: the supervisor hears from each every second.
t.test('a process that stops answering (stalled, as a hung one is) is killed and replaced; the other serves meanwhile', async (t) => {
  const [service, first, second] = await inTwoProcesses(t)
  const supervisor = processStat(first).parent
  stall(t, first)
  t.equal(await onNewConnection(service.url), 200, 'the other one answers')
  t.ok(await until(() => pidsLogging(service.output(), 'Server listening').length === 3, 30_000), 'a replacement listens')
  t.same(pidsLogging(service.output(), 'a process of the service stopped answering'), [first], 'killed as silent')
  t.notOk(alive(first), 'it is gone')
  t.ok(alive(second), 'the other one lived on')
  const replacement = pidsLogging(service.output(), 'Server listening').find((pid) => pid !== first && pid !== second) as number
  t.equal(processStat(replacement).parent, supervisor, 'replaced by the same supervisor')
})

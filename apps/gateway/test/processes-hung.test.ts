import { processStat, until } from '@otp-suite/testing'
import t from 'tap'
import { alive, inTwoProcesses, linesLogging, onNewConnection, pidsLogging, stall } from './processes-helpers.ts'

// A service in two processes (PROCESSES=2) whose one process hangs: the supervisor hears from each every second.
t.test('a process that stops answering (stalled, as a hung one is) is killed and replaced; the other serves meanwhile', async (t) => {
  const [service, first, second] = await inTwoProcesses(t)
  const supervisor = processStat(first).parent
  const stalledAt = Date.now()
  stall(t, first)
  t.equal(await onNewConnection(service.url), 200, 'the other one answers')
  t.ok(await until(() => pidsLogging(service.output(), 'Server listening').length === 3, 30_000), 'a replacement listens')
  const [killed, ...more] = linesLogging(service.output(), 'a process of the service stopped answering')
  t.same([killed?.pid, more], [first, []], 'killed as silent, it alone')
  t.equal(killed?.looksSinceWord, 11, 'at the eleventh look since its last word')
  const time = killed?.time as number
  // Its last word may have come up to a look before it stalled.
  t.ok(time - stalledAt >= 8_000, `${time - stalledAt} ms after it stalled`)
  t.notOk(alive(first), 'it is gone')
  t.ok(alive(second), 'the other one lived on')
  const replacement = pidsLogging(service.output(), 'Server listening').find((pid) => pid !== first && pid !== second) as number
  t.equal(processStat(replacement).parent, supervisor, 'replaced by the same supervisor')
})

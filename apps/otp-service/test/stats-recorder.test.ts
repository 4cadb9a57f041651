import { createTcpProxy } from '@otp-suite/db/testing'
import t from 'tap'
import { createStatsRecorder } from '../src/otp/stats-recorder.ts'
import { connectDatabase, testDatabase } from './helpers.ts'

const database = await testDatabase(t)
const silent = { warn() {} } as never

t.test('counts survive a flush that fails while the database is down', async (t) => {
  const proxy = await createTcpProxy(database.url)
  t.teardown(() => proxy.close())
  const instance = connectDatabase(t, proxy.url)
  const stats = createStatsRecorder(instance.pool, silent)
  const total = async () => {
    const [row] = await database.query<{ n: number }>("SELECT coalesce(sum(count), 0)::int AS n FROM otp_stats WHERE kind = 'verified'")
    return row?.n
  }

  stats.record('verified', 'sms')
  stats.record('verified', 'email')
  await proxy.stop()
  await t.rejects(stats.flush())
  stats.record('verified', 'sms')
  await proxy.start()
  await stats.flush()
  t.equal(await total(), 3, 'nothing counted before or during the outage is lost')
  await stats.flush()
  t.equal(await total(), 3, 'and nothing is added twice')
})

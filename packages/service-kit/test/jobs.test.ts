import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { defineConfig, jobIntervalSeconds, loadConfig, MAX_JOB_INTERVAL_SECONDS } from '../index.ts'
import { buildApp } from './build-app.ts'

const interval = 0.02

t.test('a job runs every interval, logs what it handled, and a failure is retried next time', async (t) => {
  const app = await buildApp(t)
  const info = t.capture(app.log, 'info')
  const warn = t.capture(app.log, 'warn')
  let runs = 0
  app.scheduleJob({
    name: 'cleanup',
    everySeconds: interval,
    run: async () => {
      runs += 1
      if (runs === 2) throw new Error('database down')
      return runs === 3 ? { deleted: 4 } : undefined
    },
  })
  await app.ready()
  while (runs < 4) await sleep(5)

  const warnings = warn().map((call) => call.args)
  t.equal(warnings.length, 1)
  t.match(warnings[0], [{ job: 'cleanup', err: { message: 'database down' } }, /next run retries/])
  t.same(
    info().map((call) => call.args[0]),
    [{ job: 'cleanup', handled: { deleted: 4 } }],
    'only a run that returns something is logged at info',
  )
})

t.test('runs of one job never overlap, and closing waits for the one in flight', async (t) => {
  const app = await buildApp(t)
  let running = 0
  let most = 0
  let finished = 0
  app.scheduleJob({
    name: 'slow',
    everySeconds: interval,
    run: async () => {
      running += 1
      most = Math.max(most, running)
      await sleep(interval * 1000 * 4)
      running -= 1
      finished += 1
    },
  })
  await app.ready()
  while (running === 0) await sleep(5)
  await sleep(interval * 1000 * 3)
  await app.close()
  t.equal(most, 1, 'a run due while one is going is skipped')
  t.equal(running, 0, 'close returned only after the run in flight ended')
  const after = finished
  await sleep(interval * 1000 * 5)
  t.equal(finished, after, 'nothing runs after close')
})

t.test('closing tells a long run to stop, and waits only until it has', async (t) => {
  const app = await buildApp(t)
  let batches = 0
  let stopped = false
  app.scheduleJob({
    name: 'backlog',
    everySeconds: interval,
    run: async (signal) => {
      while (!signal.aborted) {
        batches += 1
        await sleep(5)
      }
      stopped = true
    },
  })
  await app.ready()
  while (batches === 0) await sleep(5)
  await app.close()
  t.ok(stopped, 'the run saw the signal and ended before close returned')
  const after = batches
  await sleep(50)
  t.equal(batches, after, 'no batch after close')
})

t.test('every 0 seconds is never; a name is one job', async (t) => {
  const app = await buildApp(t)
  let runs = 0
  app.scheduleJob({ name: 'off', everySeconds: 0, run: async () => runs++ })
  t.throws(() => app.scheduleJob({ name: 'off', everySeconds: 1, run: async () => {} }), /"off" is already scheduled/)
  await app.ready()
  await sleep(50)
  t.equal(runs, 0)
})

t.test('a daily job first runs soon after start, at a random moment within its first minute', async (t) => {
  const random = Math.random
  t.teardown(() => {
    Math.random = random
  })
  /** When a daily job scheduled under the draw `drawn` first ran, in ms after start (undefined: not within `waitMs`). */
  const firstRun = async (drawn: number, waitMs: number) => {
    Math.random = () => drawn
    const app = await buildApp(t)
    const started = Date.now()
    let ranAt: number | undefined
    app.scheduleJob({
      name: 'daily',
      everySeconds: 86_400,
      run: async () => {
        ranAt = Date.now() - started
      },
    })
    Math.random = random
    await app.ready()
    for (let waited = 0; waited < waitMs && ranAt === undefined; waited += 5) await sleep(5)
    await app.close()
    return ranAt
  }
  const soonest = await firstRun(0, 2000)
  t.ok(soonest !== undefined && soonest < 1000, `ran ${soonest} ms after start, not a day later`)
  t.equal(await firstRun(0.5, 200), undefined, 'not at once when the draw says half a minute')
})

t.test('an interval longer than timers keep is refused, in the settings and by scheduleJob', async (t) => {
  const app = await buildApp(t)
  t.throws(() => app.scheduleJob({ name: 'rare', everySeconds: MAX_JOB_INTERVAL_SECONDS + 1, run: async () => {} }), RangeError)
  t.doesNotThrow(() => app.scheduleJob({ name: 'rare', everySeconds: 0, run: async () => {} }), 'the refused one took no name')
  const schema = defineConfig({ CLEANUP_SECONDS: jobIntervalSeconds(60) })
  t.equal(loadConfig(schema, { CLEANUP_SECONDS: String(MAX_JOB_INTERVAL_SECONDS) }).CLEANUP_SECONDS, MAX_JOB_INTERVAL_SECONDS)
  t.throws(() => loadConfig(schema, { CLEANUP_SECONDS: '99999999' }), /Invalid configuration: .*CLEANUP_SECONDS/)
})

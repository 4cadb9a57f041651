import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
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

import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { BatchWaitTimeout, batched } from '../lib/batched.ts'
import { isDatabaseUnavailable } from '../lib/unavailable.ts'

/** A `run` that answers each batch (doubling every item) only when the test lets it; `sent` lists the batches it got. */
function heldRun() {
  const sent: number[][] = []
  const holds: (() => void)[] = []
  const run = async (items: readonly number[]) => {
    sent.push([...items])
    await new Promise<void>((resolve) => holds.push(resolve))
    return items.map((item) => item * 2)
  }
  return { run, sent, release: () => holds.shift()?.() }
}

t.test('a call still waiting for its batch at maxWaitMs fails and is never sent; the calls of its batch that came later go', async (t) => {
  const { run, sent, release } = heldRun()
  const load = batched(run, { maxBatch: 64, concurrency: 1, maxWaitMs: 500 })
  const first = load(1)
  await sleep(10)
  const late = load(2)
  const lateError = late.catch((error: unknown) => error)
  await sleep(600)
  t.type(await lateError, BatchWaitTimeout, 'the call behind the batch out failed at its deadline')
  const third = load(3)
  release()
  t.equal(await first, 2)
  await sleep(10)
  release()
  t.equal(await third, 6, 'the call that joined the same waiting batch later got its own answer')
  t.same(sent, [[1], [3]], 'the late call never reached run')
})

t.test('a batch whose calls all gave up is not run', async (t) => {
  const { run, sent, release } = heldRun()
  const load = batched(run, { maxBatch: 64, concurrency: 1, maxWaitMs: 50 })
  const first = load(1)
  await sleep(10)
  const late = [load(2).catch((error: unknown) => error), load(3).catch((error: unknown) => error)]
  t.same(
    (await Promise.all(late)).map((error) => error instanceof BatchWaitTimeout),
    [true, true],
  )
  release()
  t.equal(await first, 2)
  await sleep(20)
  t.same(sent, [[1]], 'the batch of the late calls never reached run')
  const next = load(4)
  await sleep(10)
  release()
  t.equal(await next, 8, 'the next call is sent and answered')
})

t.test('with alsoWhenSent, a call already sent fails at maxWaitMs too, and its answer is dropped', async (t) => {
  const { run, sent, release } = heldRun()
  const load = batched(run, { maxBatch: 64, concurrency: 1, maxWaitMs: 200, alsoWhenSent: true })
  const first = load(1).catch((error: unknown) => error)
  await sleep(300)
  const error = await first
  t.type(error, BatchWaitTimeout)
  t.match((error as Error).message, /no answer within 200 ms/)
  t.same(sent, [[1]], 'it had been sent')
  release()
  const next = load(2)
  await sleep(10)
  release()
  t.equal(await next, 4, 'the batch that answered late freed its place for the next')
})

t.test('without maxWaitMs a call waits for its batch as long as it takes', async (t) => {
  const { run, release } = heldRun()
  const load = batched(run, { maxBatch: 64, concurrency: 1 })
  const first = load(1)
  await sleep(10)
  const second = load(2)
  await sleep(150)
  release()
  t.equal(await first, 2)
  await sleep(10)
  release()
  t.equal(await second, 4)
})

t.test('a call that waited too long counts as the database being unavailable (a 503)', async (t) => {
  t.ok(isDatabaseUnavailable(new BatchWaitTimeout(100, false)))
  t.notOk(isDatabaseUnavailable(new Error('something else')))
})

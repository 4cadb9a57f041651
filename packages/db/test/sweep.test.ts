import t from 'tap'
import { sweep } from '../lib/sweep.ts'

/** A step over a backlog of `rows`, `batchSize` at a time; `after` runs after each batch. */
const backlog = (rows: number, batchSize: number, after: () => void = () => {}) => {
  let left = rows
  return async () => {
    const taken = Math.min(left, batchSize)
    left -= taken
    after()
    return taken
  }
}

t.test('each step runs until its backlog is gone', async (t) => {
  t.same(await sweep({ codes: backlog(25, 10), ips: backlog(10, 10), none: backlog(0, 10) }, 10), { codes: 25, ips: 10, none: 0 })
})

t.test('once the signal is aborted, the sweep stops after the batch in hand', async (t) => {
  const closing = new AbortController()
  let batches = 0
  const stopAfterTwo = () => {
    batches += 1
    if (batches === 2) closing.abort()
  }
  const handled = await sweep({ codes: backlog(100, 10, stopAfterTwo), ips: backlog(100, 10) }, 10, closing.signal)
  t.same(handled, { codes: 20, ips: 0 }, 'two batches, and no other step begun')
})

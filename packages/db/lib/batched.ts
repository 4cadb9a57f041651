import DataLoader from 'dataloader'

export type BatchOptions = {
  /** The most calls in one batch. */
  maxBatch: number
  /** Batches of this kind out at once; the next one waits and grows. */
  concurrency: number
  /**
   * How long a call may wait: one whose batch has not left by then fails with a `BatchWaitTimeout`
   * (a database then counts as unavailable) and is never sent, so a wedged dependency does not pile
   * up work for clients that have given up. A call already sent waits for its answer (the
   * dependency's own timeouts bound it), unless `alsoWhenSent`. Unset, calls wait as long as it takes.
   */
  maxWaitMs?: number
  /** A call already sent fails at `maxWaitMs` too: every call is answered within it of its arrival. */
  alsoWhenSent?: boolean
  /**
   * The error a call gets whose value the database refused to take (a NUL byte or a character it
   * cannot encode, 22021 and 22P05; a string too long for its column, 22001). The batch is then run
   * again one call at a time, so the others get their answers. Unset, such an error fails the whole
   * batch, as every other error does.
   */
  refused?: () => Error
}

/** A call that waited `maxWaitMs`: not sent (the batches before it still out), or sent and not answered. */
export class BatchWaitTimeout extends Error {
  constructor(ms: number, sent: boolean) {
    super(sent ? `no answer within ${ms} ms` : `not sent within ${ms} ms: the batches before it are still out`)
    this.name = 'BatchWaitTimeout'
  }
}

/** A call, and whether it was sent or given up. */
type Call<I> = { item: I; state: 'waiting' | 'sent' | 'late' }

/** SQLSTATEs of a value the database refused to take (see `refused`). */
const REFUSED_VALUES = new Set(['22021', '22P05', '22001'])

/**
 * Gathers concurrent calls into batches, so many requests share one statement, one round trip and
 * one commit. A batch leaves once the event loop has handled the current round of I/O and fewer
 * than `concurrency` batches are out, taking every call that arrived meanwhile: an idle service
 * sends a batch of one at once, a busy one fewer, larger batches. `run` answers the calls in order.
 */
export function batched<I, O>(
  run: (items: readonly I[]) => Promise<O[]>,
  { maxBatch, concurrency, maxWaitMs, alsoWhenSent, refused }: BatchOptions,
) {
  let out = 0
  const waiting: (() => void)[] = []
  const send = (dispatch: () => void) => {
    out++
    setImmediate(dispatch)
  }
  const isRefusal = (error: unknown) => refused !== undefined && REFUSED_VALUES.has(String((error as { code?: unknown }).code))
  const ownError = (error: unknown) => (refused && isRefusal(error) ? refused() : (error as Error))
  // DataLoader rejects a call whose result is an Error: each call of a refused batch gets its own.
  const runIsolated = async (items: readonly I[]): Promise<(O | Error)[]> => {
    try {
      return await run(items)
    } catch (error) {
      if (items.length === 1 || !isRefusal(error)) throw ownError(error)
      const results: (O | Error)[] = []
      for (const item of items) results.push(await run([item]).then(([result]) => result as O, ownError))
      return results
    }
  }
  /** Runs the calls not given up (their answers in place, the others' never read). */
  const runSent = async (calls: readonly Call<I>[]): Promise<(O | Error)[]> => {
    const sent = calls.filter((call) => call.state === 'waiting')
    for (const call of sent) call.state = 'sent'
    if (sent.length === calls.length) return runIsolated(sent.map((call) => call.item))
    const answers = sent.length > 0 ? await runIsolated(sent.map((call) => call.item)) : []
    let next = 0
    // A late call's promise has already failed: what stands in its place is never read.
    return calls.map((call) => (call.state === 'sent' ? (answers[next++] as O | Error) : (undefined as O)))
  }
  const loader = new DataLoader(
    (calls: readonly Call<I>[]) =>
      runSent(calls).finally(() => {
        out--
        const next = waiting.shift()
        if (next) send(next)
      }),
    { cache: false, maxBatchSize: maxBatch, batchScheduleFn: (dispatch) => (out < concurrency ? send(dispatch) : waiting.push(dispatch)) },
  )
  if (maxWaitMs === undefined) return (item: I) => loader.load({ item, state: 'waiting' })
  return (item: I) => {
    const call: Call<I> = { item, state: 'waiting' }
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        if (call.state === 'waiting') call.state = 'late'
        else if (!alsoWhenSent) return
        reject(new BatchWaitTimeout(maxWaitMs, call.state === 'sent'))
      }, maxWaitMs)
    })
    return Promise.race([loader.load(call), late]).finally(() => clearTimeout(timer))
  }
}

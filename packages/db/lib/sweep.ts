/**
 * Runs each housekeeping step until its backlog is gone: a step handles at most `batchSize` rows
 * (taken with SKIP LOCKED, so several instances share the work) and returns how many it handled.
 * Returns the total per step. Once `signal` is aborted (the service is closing) it stops after the
 * batch in hand, leaving the rest to the next sweep.
 */
export async function sweep<S extends Record<string, () => Promise<number>>>(
  steps: S,
  batchSize: number,
  signal?: AbortSignal,
): Promise<Record<keyof S, number>> {
  const handled = Object.fromEntries(Object.keys(steps).map((name) => [name, 0])) as Record<keyof S, number>
  for (const name of Object.keys(steps) as (keyof S)[]) {
    let rows: number
    do {
      if (signal?.aborted) return handled
      rows = await (steps[name] as () => Promise<number>)()
      handled[name] += rows
    } while (rows >= batchSize)
  }
  return handled
}

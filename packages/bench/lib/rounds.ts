import autocannon from 'autocannon'
import { cpuWindow, median, peakRssMb, untilQuiet } from './process.ts'

/** What autocannon answers with `skipAggregateResult`: its counts, its latencies still encoded so that runs add up. */
export type RawResult = {
  /** Seconds. */
  duration: number
  totalCompletedRequests: number
  non2xx: number
  /** Timeouts included. */
  errors: number
  statusCodeStats: Record<string, { count: number }>
}
declare module 'autocannon' {
  // Adds up raw answers; autocannon's types leave it out.
  function aggregateResult(results: RawResult[], options: { url: string; connections: number }): Result
}

/** Slices of load per target and round (`BENCH_SLICES`, even, so that the passes cancel out): `duration` is shared out among them. */
export const slicesPerRound = Number(process.env.BENCH_SLICES ?? 4)

/**
 * The options of an autocannon run that is a slice: answered unsummed (`addUp` adds the slices
 * up), and stopped within 100 ms of its duration (autocannon stops on its sampling tick, by default
 * each second).
 */
export const sliceOptions = { skipAggregateResult: true, sampleInt: 100 } as const

/**
 * Runs `measure` over `items`, `passes` times, in turns reversed from one pass to the next (A B C,
 * C B A, A B C…): a moment when the machine runs slow or fast, seconds or minutes long, then falls
 * on every item alike. Returns each item's measurements, in order.
 */
export async function inTurns<T, M>(items: readonly T[], passes: number, measure: (item: T) => Promise<M>) {
  const measured = new Map(items.map((item) => [item, [] as M[]]))
  for (let pass = 0; pass < passes; pass++) {
    for (const item of turnOrder(items, pass)) measured.get(item)?.push(await measure(item))
  }
  return measured
}

/** A slice's answer (with fields of the caller's own) and the CPU shares used meanwhile. */
export type Slice<Extra extends object = object> = { result: RawResult & Extra; cpu: Record<string, number> }

/**
 * Seconds of uncounted load right before each slice (`BENCH_PRIME`): a slice then starts on a
 * server already serving, not on one whose idle database connections closed while the others took
 * their turns.
 */
export const primeSeconds = Number(process.env.BENCH_PRIME ?? 0.5)

/** What a slice reads and waits for: CPU shares over its time (a window opened at its start), and the processes to let go quiet after it. */
export type Watch = { cpuWindow: () => () => Record<string, number>; quiet: number[] }

/** A server's watch: its CPU, PostgreSQL's and the load generator's (`cpuWindow`); waits for it. */
export const watchServer = (pid: number): Watch => ({ cpuWindow: () => cpuWindow(pid), quiet: [pid] })

/**
 * One slice: `load` (an autocannon run made with `sliceOptions`) for `primeSeconds`, then for
 * `seconds` while `watch` reads the CPU used; then waits `untilQuiet`.
 */
export async function measureSlice<Extra extends object = object>(
  watch: Watch,
  seconds: number,
  load: (seconds: number) => Promise<Extra>,
): Promise<Slice<Extra>> {
  await load(primeSeconds)
  const window = watch.cpuWindow()
  const result = (await load(seconds)) as unknown as RawResult & Extra
  const cpu = window()
  await untilQuiet(watch.quiet)
  return { result, cpu }
}

/** Slices added up: rates over their whole time, latencies over all their requests, CPU shares their mean. */
export function addUp(slices: Slice[], connections: number) {
  const seconds = slices.reduce((sum, slice) => sum + slice.result.duration, 0)
  const all = autocannon.aggregateResult(
    slices.map((slice) => slice.result),
    { url: 'http://127.0.0.1', connections },
  )
  const cpu = Object.fromEntries(
    Object.keys(slices[0]?.cpu ?? {}).map((key) => {
      const shares = slices.map((slice) => slice.cpu[key] as number)
      return [key, Math.round(shares.reduce((sum, share) => sum + share, 0) / shares.length)]
    }),
  )
  return {
    seconds,
    'requests/s': Math.round(all.requests.total / seconds),
    'p50 ms': all.latency.p50,
    'p99 ms': all.latency.p99,
    'non-2xx': all.non2xx,
    statuses: Object.entries(all.statusCodeStats ?? {})
      .map(([status, { count }]) => `${status}×${count}`)
      .join(' '),
    errors: all.errors,
    ...cpu,
  }
}

export type LoadTarget = {
  name: string
  /** The request connection `c` repeats (its own user, token…). */
  request: (connection: number) => autocannon.Request
  /** Changes made to every single request (a fresh proof each time): marks the target as one that writes. */
  perRequest?: () => Partial<autocannon.Request>
  /** A server of its own (a proxy in front, say), instead of the rounds' `base` and `pid`. */
  server?: { base: string; pid: number }
}

export type RoundOptions = {
  /** The server every target loads, unless it names its own. */
  base?: string
  /** The server's pid, for its CPU and memory. */
  pid?: number
  targets: LoadTarget[]
  connections: number
  duration: number
  warmup: number
  rounds: number
}

export type Row = Record<string, string | number> & { target: string; 'requests/s': number }

/** Loads one target for `seconds` from `connections` connections; autocannon's result. */
export function loadOnce(
  base: string,
  connections: number,
  target: LoadTarget,
  seconds: number,
  options: Partial<autocannon.Options> = {},
) {
  let connection = 0
  return autocannon({
    ...options,
    url: target.server?.base ?? base,
    connections,
    duration: seconds,
    // Per-connection state belongs in setupClient: autocannon resets a request's context every loop.
    setupClient: (client) => {
      const request = target.request(connection++ % connections)
      client.setRequests([target.perRequest ? { ...request, setupRequest: (r) => ({ ...r, ...target.perRequest?.() }) } : request])
    },
  })
}

/**
 * The order of the turns in round `round`: as listed, then reversed, and so on. A machine that
 * speeds up or slows down over a run then favours no target by its place in the round.
 */
export const turnOrder = <T>(targets: readonly T[], round: number): readonly T[] => (round % 2 === 0 ? targets : targets.toReversed())

/**
 * Loads each target for `duration` seconds after `warmup`, `rounds` times. In each round the
 * targets that only read are warmed up, then loaded in slices taken in turns (`inTurns`); those
 * that write (and leave vacuuming and checkpoints behind) take their rounds after them. Returns
 * every round's figures by target.
 */
export async function runRounds({ base = '', pid = 0, targets, connections, duration, warmup, rounds }: RoundOptions) {
  const runs = new Map(targets.map((target) => [target.name, [] as Row[]]))
  const writes = (target: LoadTarget) => target.perRequest !== undefined
  const pidOf = (target: LoadTarget) => target.server?.pid ?? pid
  for (const group of [targets.filter((target) => !writes(target)), targets.filter(writes)]) {
    for (let round = 0; round < rounds; round++) {
      const order = turnOrder(group, round)
      for (const target of order) await loadOnce(base, connections, target, warmup)
      const slices = await inTurns(order, slicesPerRound, (target) =>
        measureSlice(watchServer(pidOf(target)), duration / slicesPerRound, (seconds) =>
          loadOnce(base, connections, target, seconds, sliceOptions),
        ),
      )
      for (const target of order) {
        const { seconds, ...figures } = addUp(slices.get(target) ?? [], connections)
        runs.get(target.name)?.push({ target: target.name, ...figures, 'peak RSS MB': Math.round(peakRssMb(pidOf(target))) })
      }
    }
  }
  return runs
}

/** Prints the median round of each target, every round's rate and p99, and `ratios` (name over reference, of the medians and round by round). */
export function printRounds(title: string, runs: Map<string, Row[]>, ratios: [name: string, reference: string][]) {
  const rate = (name: string) => median((runs.get(name) ?? []).map((row) => row['requests/s']))
  const medianRow = (rows: Row[]) => rows.find((row) => row['requests/s'] === median(rows.map((each) => each['requests/s']))) as Row
  console.log(`\n${title}\n`)
  console.table([...runs.values()].map(medianRow))
  for (const [name, rows] of runs) {
    console.log(
      `${name} by round: requests/s ${rows.map((row) => row['requests/s']).join(', ')}; p99 ms ${rows.map((row) => row['p99 ms']).join(', ')}`,
    )
  }
  for (const [name, reference] of ratios) {
    const byRound = (runs.get(name) ?? []).map((row, round) =>
      (row['requests/s'] / (runs.get(reference)?.[round]?.['requests/s'] ?? Number.NaN)).toFixed(2),
    )
    console.log(`${name} / ${reference}: ${(rate(name) / rate(reference)).toFixed(2)}x (round by round ${byRound.join(', ')})`)
  }
}

import autocannon from 'autocannon'
import { cpuWindow, median, peakRssMb } from './process.ts'

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
export function loadOnce(base: string, connections: number, target: LoadTarget, seconds: number) {
  let connection = 0
  return autocannon({
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
 * Loads each target for `duration` seconds after `warmup`, `rounds` times. The targets that only
 * read take turns round after round (in `turnOrder`), so a slow moment of the machine falls on all
 * of them; those that write (and leave vacuuming and checkpoints behind) run their rounds after
 * them. Returns every round's figures by target.
 */
export async function runRounds({ base = '', pid = 0, targets, connections, duration, warmup, rounds }: RoundOptions) {
  const runs = new Map(targets.map((target) => [target.name, [] as Row[]]))
  const writes = (target: LoadTarget) => target.perRequest !== undefined
  for (const group of [targets.filter((target) => !writes(target)), targets.filter(writes)]) {
    for (let round = 0; round < rounds; round++) {
      for (const target of turnOrder(group, round)) {
        await loadOnce(base, connections, target, warmup)
        const serverPid = target.server?.pid ?? pid
        const cpu = cpuWindow(serverPid)
        const result = await loadOnce(base, connections, target, duration)
        runs.get(target.name)?.push({
          target: target.name,
          'requests/s': Math.round(result.requests.total / result.duration),
          'p50 ms': result.latency.p50,
          'p99 ms': result.latency.p99,
          'non-2xx': result.non2xx,
          statuses: Object.entries(result.statusCodeStats ?? {})
            .map(([status, { count }]) => `${status}×${count}`)
            .join(' '),
          errors: result.errors + result.timeouts,
          'peak RSS MB': Math.round(peakRssMb(serverPid)),
          ...cpu(),
        })
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

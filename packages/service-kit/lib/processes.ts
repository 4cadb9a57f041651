import cluster, { type Worker } from 'node:cluster'
import Fastify from 'fastify'
import { AggregatorRegistry, type Registry } from 'prom-client'
import { type LogSettings, loggerOptions } from './logger.ts'

const METRICS_ASKED = 'service-kit:metrics-asked'
const METRICS_ANSWERED = 'service-kit:metrics-answered'
type Message = { type?: string; id?: number; text?: string; error?: string }
/** Set in the environment of the processes `inProcesses` starts. */
const SUPERVISED = 'SERVICE_PROCESS_SUPERVISED'

/** How long a process that died waits before its replacement starts. */
const RESTART_DELAY_MS = 1_000
/** How long a process's /metrics waits for the figures of all of them (prom-client asks each for 5 s). */
const METRICS_TIMEOUT_MS = 6_000
/** How long a process may take to close after SIGTERM (its requests in flight, then its resources). */
export const CLOSE_DELAY_MS = 10_000
/** How long the supervisor waits for its processes to end before it kills those left. */
const STOP_DEADLINE_MS = CLOSE_DELAY_MS + 5_000

/**
 * The signals on which this process does not close: a process the supervisor started leaves SIGINT
 * to it. Ctrl-C in a terminal signals every process of the group, and the supervisor passes the stop
 * on as SIGTERM, so each process gets one signal, not a second one that would cut its close short.
 */
export const signalsLeftToSupervisor = (): 'SIGINT'[] => (process.env[SUPERVISED] === '1' ? ['SIGINT'] : [])

/** A message to a process that may have died meanwhile: sent when it can be, else dropped. */
const tell = (worker: Worker, message: Message) => {
  if (worker.isConnected()) worker.send(message, () => {})
}

/**
 * Runs `start` (which builds the app and listens) in `count` processes sharing its port, or in this
 * one when `count` is 1. The first process only supervises: it starts the others, each accepting
 * connections on the shared socket (the kernel hands each new one to a process waiting for it),
 * starts another when one that was serving dies, and adds up their metrics for the one asked
 * (`serviceMetrics`). On SIGTERM or SIGINT it passes SIGTERM on and ends when they all have; those
 * still running at the deadline, or at a second signal, it kills. It exits with code 1 when any of
 * them did not close cleanly. A process that ends before it listens (a bad setting, a port taken)
 * ends them all, with exit code 1, as one process would: a supervisor does not start it again and
 * again.
 */
export async function inProcesses(count: number, logSettings: LogSettings, start: () => Promise<void>) {
  if (process.env[SUPERVISED] === '1') {
    // Answers the supervisor's requests for this process's figures from the start (empty until the
    // app's registry is set), so a scrape never waits on a process that is still starting.
    new AggregatorRegistry()
    for (const signal of signalsLeftToSupervisor()) process.on(signal, () => {})
    return start()
  }
  if (count <= 1) return start()
  const log = Fastify({ logger: loggerOptions(logSettings) }).log
  cluster.schedulingPolicy = cluster.SCHED_NONE
  const metrics = new AggregatorRegistry()
  const serving = new Set<number>()
  let stopping = false
  let exitCode = 0
  const signalAll = (signal: NodeJS.Signals) => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal)
  }
  const kill = (reason: string) => {
    log.error(reason)
    exitCode = 1
    signalAll('SIGKILL')
  }
  const stopAll = () => {
    if (stopping) return
    stopping = true
    signalAll('SIGTERM')
    setTimeout(() => kill('processes of the service still running at the stop deadline: killing them'), STOP_DEADLINE_MS).unref()
  }
  cluster.on('message', (worker, message: Message) => {
    if (message?.type !== METRICS_ASKED) return
    metrics.clusterMetrics().then(
      (text) => tell(worker, { type: METRICS_ANSWERED, id: message.id, text }),
      (error: Error) => tell(worker, { type: METRICS_ANSWERED, id: message.id, error: error.message }),
    )
  })
  cluster.on('listening', (worker) => serving.add(worker.id))
  cluster.on('exit', (worker, code, signal) => {
    if (!stopping && !serving.has(worker.id)) {
      log.error({ pid: worker.process.pid, code, signal }, 'a process of the service ended before it listened: stopping them all')
      exitCode = 1
      stopAll()
    } else if (!stopping) {
      log.error({ pid: worker.process.pid, code, signal }, 'a process of the service died: starting another')
      setTimeout(() => stopping || cluster.fork({ [SUPERVISED]: '1' }), RESTART_DELAY_MS)
    }
    serving.delete(worker.id)
    if (stopping && code !== 0) exitCode = 1
    if (stopping && Object.keys(cluster.workers ?? {}).length === 0) process.exit(exitCode)
  })
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => (stopping ? kill(`a second ${signal}: killing the processes of the service`) : stopAll()))
  }
  for (let i = 0; i < count; i++) cluster.fork({ [SUPERVISED]: '1' })
  log.info({ processes: count }, 'service started in several processes')
}

/**
 * How to read the service's metrics, `registry` being this process's: in one of several processes,
 * the figures of all of them added up by the first process (a scrape reaches any one of them and
 * must see the whole service); else `registry`'s own.
 */
export function serviceMetrics(registry: Registry): () => Promise<string> {
  if (process.env[SUPERVISED] !== '1') return () => registry.metrics()
  AggregatorRegistry.setRegistries([registry])
  let asked = 0
  const answers = new Map<number, (message: Message) => void>()
  process.on('message', (message: Message) => {
    if (message?.type === METRICS_ANSWERED) answers.get(message.id as number)?.(message)
  })
  return () => {
    const id = ++asked
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => answers.get(id)?.({ error: 'no answer from the first process' }), METRICS_TIMEOUT_MS)
      answers.set(id, (message) => {
        answers.delete(id)
        clearTimeout(timer)
        if (message.error !== undefined) reject(new Error(`metrics of the service's processes: ${message.error}`))
        else resolve(message.text as string)
      })
      process.send?.({ type: METRICS_ASKED, id })
    })
  }
}

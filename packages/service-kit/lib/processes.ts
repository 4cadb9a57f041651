import cluster from 'node:cluster'
import type { FastifyBaseLogger } from 'fastify'
import { AggregatorRegistry, type Registry } from 'prom-client'

const METRICS_ASKED = 'service-kit:metrics-asked'
const METRICS_ANSWERED = 'service-kit:metrics-answered'
type Message = { type?: string; id?: number; text?: string; error?: string }
/** Set in the environment of the processes `inProcesses` starts. */
const SUPERVISED = 'SERVICE_PROCESS_SUPERVISED'

/** How long a process that died waits before its replacement starts (one that dies at start would otherwise spin). */
const RESTART_DELAY_MS = 1_000

/**
 * Runs `start` (which builds the app and listens) in `count` processes sharing its port, or in this
 * one when `count` is 1. The first process only supervises: it starts the others, each accepting
 * connections on the shared socket (the kernel hands each new one to a process waiting for it),
 * starts a new one when one dies, passes SIGTERM and SIGINT on and ends when they all have, and
 * adds up their metrics for the one asked (`metricsOfAll`).
 */
export async function inProcesses(count: number, log: FastifyBaseLogger, start: () => Promise<void>) {
  if (count <= 1 || process.env[SUPERVISED] === '1') return start()
  cluster.schedulingPolicy = cluster.SCHED_NONE
  const metrics = new AggregatorRegistry()
  let stopping = false
  cluster.on('message', (worker, message: Message) => {
    if (message?.type !== METRICS_ASKED) return
    metrics.clusterMetrics().then(
      (text) => worker.send({ type: METRICS_ANSWERED, id: message.id, text }),
      (error: Error) => worker.send({ type: METRICS_ANSWERED, id: message.id, error: error.message }),
    )
  })
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0)
      return
    }
    log.error({ pid: worker.process.pid, code, signal }, 'a process of the service died: starting another')
    setTimeout(() => cluster.fork({ [SUPERVISED]: '1' }), RESTART_DELAY_MS)
  })
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      stopping = true
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal)
    })
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
  // Answers the first process when it asks every process for its own figures.
  AggregatorRegistry.setRegistries([registry])
  new AggregatorRegistry()
  let asked = 0
  const answers = new Map<number, (message: Message) => void>()
  process.on('message', (message: Message) => {
    if (message?.type === METRICS_ANSWERED) answers.get(message.id as number)?.(message)
  })
  return () => {
    const id = ++asked
    return new Promise((resolve, reject) => {
      answers.set(id, (message) => {
        answers.delete(id)
        if (message.error !== undefined) reject(new Error(`metrics of the other processes: ${message.error}`))
        else resolve(message.text as string)
      })
      process.send?.({ type: METRICS_ASKED, id })
    })
  }
}

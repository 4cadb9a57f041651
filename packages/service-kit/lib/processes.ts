import cluster, { type Worker } from 'node:cluster'
import closeWithGrace, { type CloseWithGraceAsyncCallback } from 'close-with-grace'
import Fastify from 'fastify'
import { AggregatorRegistry, type Registry } from 'prom-client'
import { type LogSettings, loggerOptions } from './logger.ts'

const METRICS_ASKED = 'service-kit:metrics-asked'
const METRICS_ANSWERED = 'service-kit:metrics-answered'
/** The supervisor asks a process to close. */
const STOP = 'service-kit:stop'
/** A process tells the supervisor, every HEARTBEAT_MS, that its event loop still turns. */
const ALIVE = 'service-kit:alive'
const HEARTBEAT_MS = 1_000
/**
 * How many of the supervisor's looks (one every HEARTBEAT_MS) may come since a serving process's
 * last word; at the next it is taken for hung, killed and replaced: 10 to 11 s of silence.
 */
const HUNG_AFTER_LOOKS = 10
type Message = { type?: string; id?: number; text?: string; error?: string }
/** Set in the environment of the processes `inProcesses` starts. */
const SUPERVISED = 'SERVICE_PROCESS_SUPERVISED'
const supervised = () => process.env[SUPERVISED] === '1'

/** How long a process that died waits before its replacement starts. */
const RESTART_DELAY_MS = 1_000
/** How long a process's /metrics waits for the figures of all of them (prom-client asks each for 5 s). */
const METRICS_TIMEOUT_MS = 6_000
/** How long past its processes' own close deadline the supervisor waits before it kills those left. */
const KILL_MARGIN_MS = 5_000
/** The signals that stop a service: a terminal's (Ctrl-C, Ctrl-\, a hang-up) and a service manager's. */
const STOP_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT'] as const

/** This process's close, once `closeOnStop` has installed it. */
let closeThisProcess: (() => void) | undefined

/**
 * Installs this process's close, `close`, run once (by close-with-grace) within `timeoutMs`, else
 * the process exits with code 1, as it does at a second signal or an uncaught error. A process of
 * its own closes on the stop signals. One the supervisor started leaves those to the supervisor
 * and closes when the supervisor asks: a signal sent to the whole group (Ctrl-C in a terminal, a
 * service manager's stop) would otherwise reach it twice, directly and passed on, and cut its
 * close short.
 */
export function closeOnStop(timeoutMs: number, close: CloseWithGraceAsyncCallback) {
  const closer = closeWithGrace({ delay: timeoutMs, skip: supervised() ? [...STOP_SIGNALS] : [] }, close)
  if (supervised()) closeThisProcess = closer.close
}

/** A message to a process that may have died meanwhile: sent when it can be, else dropped. */
const tell = (worker: Worker, message: Message) => {
  if (worker.isConnected()) worker.send(message, () => {})
}

/**
 * Runs `start` (which builds the app and listens) in `count` processes sharing its port, or in this
 * one when `count` is 1. The first process only supervises: it starts the others, each accepting
 * connections on the shared socket (the kernel hands each new one to a process waiting for it),
 * starts another when one that was serving dies (or, silent for HUNG_AFTER_LOOKS, is killed), and
 * adds up their metrics for the one asked (`serviceMetrics`). On a stop signal it asks each to
 * close and ends when they all have; those still running `shutdownTimeoutMs` and a margin later,
 * or at a second signal, it kills. It exits with code 1 when any of them did not close cleanly. A
 * process that ends before it listens (a bad setting, a port taken) ends them all, with exit code
 * 1, as one process would: a supervisor does not start it again and again.
 */
export async function inProcesses(count: number, settings: LogSettings & { SHUTDOWN_TIMEOUT_MS: number }, start: () => Promise<void>) {
  if (supervised()) {
    // Answers the supervisor's requests for this process's figures from the start (empty until the
    // app's registry is set), so a scrape never waits on a process that is still starting.
    new AggregatorRegistry()
    for (const signal of STOP_SIGNALS) process.on(signal, () => {})
    process.on('message', (message: Message) => {
      if (message?.type === STOP) closeThisProcess?.()
    })
    // One at a time (a supervisor that reads none meanwhile gets no pile of them), with a callback,
    // so a channel closed meanwhile (the supervisor gone) is no uncaught error.
    let beating = false
    setInterval(() => {
      if (beating || !process.send) return
      beating = true
      process.send({ type: ALIVE }, undefined, {}, () => {
        beating = false
      })
    }, HEARTBEAT_MS).unref()
    return start()
  }
  if (count <= 1) return start()
  const log = Fastify({ logger: loggerOptions(settings) }).log
  cluster.schedulingPolicy = cluster.SCHED_NONE
  const metrics = new AggregatorRegistry()
  const serving = new Set<number>()
  /** Processes ended at the stop while still starting: their end is no failure. */
  const endedStarting = new Set<number>()
  const workers = () => Object.values(cluster.workers ?? {}).filter((worker) => worker !== undefined)
  let stopping = false
  const kill = (reason: string) => {
    log.error(reason)
    process.exitCode = 1
    for (const worker of workers()) worker.process.kill('SIGKILL')
  }
  const stopAll = () => {
    if (stopping) return
    stopping = true
    // One still starting has nothing in flight, and may not hear the request yet: it is ended.
    for (const worker of workers()) {
      if (serving.has(worker.id)) tell(worker, { type: STOP })
      else {
        endedStarting.add(worker.id)
        worker.process.kill('SIGKILL')
      }
    }
    const deadline = settings.SHUTDOWN_TIMEOUT_MS + KILL_MARGIN_MS
    setTimeout(() => kill('processes of the service still running at the stop deadline: killing them'), deadline).unref()
  }
  /** How many looks of the supervisor have come since each serving process's last word. */
  const silentLooks = new Map<number, number>()
  cluster.on('message', (worker, message: Message) => {
    if (message?.type === ALIVE && serving.has(worker.id)) silentLooks.set(worker.id, 0)
    if (message?.type !== METRICS_ASKED) return
    metrics.clusterMetrics().then(
      (text) => tell(worker, { type: METRICS_ANSWERED, id: message.id, text }),
      (error: Error) => tell(worker, { type: METRICS_ANSWERED, id: message.id, error: error.message }),
    )
  })
  cluster.on('listening', (worker) => serving.add(worker.id))
  // A serving process whose event loop no longer turns (a loop that never ends, a process stopped)
  // answers nothing on the connections it holds while the others still pass the health checks:
  // killed, it is replaced as one that died. Silence is counted in looks, not in time: a supervisor
  // held up itself (a paused host, say) looks less often and takes no process for hung. Neither one
  // still starting nor any once the service is stopping is watched.
  setInterval(() => {
    for (const worker of stopping ? [] : workers()) {
      if (!serving.has(worker.id)) continue
      const looks = (silentLooks.get(worker.id) ?? 0) + 1
      silentLooks.set(worker.id, looks)
      if (looks <= HUNG_AFTER_LOOKS) continue
      silentLooks.delete(worker.id)
      log.error({ pid: worker.process.pid, looksSinceWord: looks }, 'a process of the service stopped answering: killing it')
      worker.process.kill('SIGKILL')
    }
  }, HEARTBEAT_MS).unref()
  // A process that could not be started or sent to is logged; its exit (if any) is handled below.
  cluster.on('fork', (worker) =>
    worker.on('error', (error) => log.error({ err: error, pid: worker.process.pid }, 'a process of the service failed')),
  )
  cluster.on('exit', (worker, code, signal) => {
    if (!stopping && !serving.has(worker.id)) {
      log.error({ pid: worker.process.pid, code, signal }, 'a process of the service ended before it listened: stopping them all')
      process.exitCode = 1
      stopAll()
    } else if (!stopping) {
      log.error({ pid: worker.process.pid, code, signal }, 'a process of the service died: starting another')
      setTimeout(() => stopping || cluster.fork({ [SUPERVISED]: '1' }), RESTART_DELAY_MS)
    }
    if (stopping && code !== 0 && !endedStarting.has(worker.id)) process.exitCode = 1
    serving.delete(worker.id)
    silentLooks.delete(worker.id)
    if (stopping && workers().length === 0) process.exit()
  })
  for (const signal of STOP_SIGNALS) {
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
  if (!supervised()) return () => registry.metrics()
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

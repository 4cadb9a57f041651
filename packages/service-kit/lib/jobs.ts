import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'

/** The longest interval Node's timers keep (2^31 - 1 ms): a longer one would fire every millisecond. */
export const MAX_JOB_INTERVAL_SECONDS = 2_147_483
/** A job's first run comes this long after start at most, at a random moment so instances started together spread. */
const FIRST_RUN_WITHIN_SECONDS = 60

/** A setting of seconds between a job's runs: 0 turns the job off. */
export const jobIntervalSeconds = (defaultValue: number) =>
  Type.Integer({ minimum: 0, maximum: MAX_JOB_INTERVAL_SECONDS, default: defaultValue })

export type Job = {
  /** Names the job in its log lines; one job per name and app. */
  name: string
  /** Seconds between runs; 0 (or less) never runs it. */
  everySeconds: number
  /**
   * Resolving to something other than undefined (the counts handled, say) logs it at info. A long
   * run stops early (between batches, say) once `signal` is aborted: the app is closing.
   */
  run(signal: AbortSignal): Promise<unknown>
}

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * Runs `job.run` every `job.everySeconds` seconds without keeping the process alive, the first
     * time within a minute of start (or of one interval, when shorter), so a daily job still runs
     * on a service restarted more often than that. Runs of
     * one job never overlap (a run due while the last is still going is skipped); a failure is
     * logged as a warning and the next run retries. Closing the app stops it, aborts the signal of
     * a run in flight and waits for that run, before any onClose hook (the one closing the
     * database, say) runs. Call it while the app is being registered.
     */
    scheduleJob(job: Job): void
  }
}

/** Decorates `app` with `scheduleJob`; the function returned stops every job and waits for the runs in flight. */
export function installJobs(app: FastifyInstance): () => Promise<void> {
  const names = new Set<string>()
  const closing = new AbortController()
  const timers: NodeJS.Timeout[] = []
  // The run in flight of each job, by name.
  const running = new Map<string, Promise<void>>()
  app.decorate('scheduleJob', (job: Job) => {
    if (names.has(job.name)) throw new Error(`A job named "${job.name}" is already scheduled`)
    if (job.everySeconds > MAX_JOB_INTERVAL_SECONDS) {
      throw new RangeError(`Job "${job.name}": everySeconds is over ${MAX_JOB_INTERVAL_SECONDS}`)
    }
    names.add(job.name)
    if (job.everySeconds <= 0) return

    const runOnce = async () => {
      try {
        const handled = await job.run(closing.signal)
        if (handled !== undefined) app.log.info({ job: job.name, handled }, 'job done')
      } catch (err) {
        app.log.warn({ job: job.name, err }, 'job failed; the next run retries')
      }
    }
    const due = () => {
      if (running.has(job.name)) return
      running.set(
        job.name,
        runOnce().finally(() => running.delete(job.name)),
      )
    }
    const keep = (timer: NodeJS.Timeout) => {
      timer.unref()
      timers.push(timer)
    }
    const firstWithinMs = Math.min(job.everySeconds, FIRST_RUN_WITHIN_SECONDS) * 1000
    keep(
      setTimeout(() => {
        due()
        keep(setInterval(due, job.everySeconds * 1000))
      }, Math.random() * firstWithinMs),
    )
  })
  return async () => {
    for (const timer of timers) clearInterval(timer)
    closing.abort()
    await Promise.all(running.values())
  }
}

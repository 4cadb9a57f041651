import type { FastifyInstance } from 'fastify'

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
     * Runs `job.run` every `job.everySeconds` seconds without keeping the process alive. Runs of
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
    const timer = setInterval(() => {
      if (running.has(job.name)) return
      running.set(
        job.name,
        runOnce().finally(() => running.delete(job.name)),
      )
    }, job.everySeconds * 1000)
    timer.unref()
    timers.push(timer)
  })
  return async () => {
    for (const timer of timers) clearInterval(timer)
    closing.abort()
    await Promise.all(running.values())
  }
}

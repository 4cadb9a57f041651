import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyBaseLogger } from 'fastify'
import pg from 'pg'
import { Gauge, type Registry } from 'prom-client'

/** The PostgreSQL channel on admin-service's own database that carries invalidations to every instance. */
export const INVALIDATION_CHANNEL = 'admin_cache_invalidation'

/** The payload of one notice: the cache key prefixes to drop. */
export const invalidationNotice = (prefixes: readonly string[]) => JSON.stringify({ prefixes })

type Options = {
  databaseUrl: string
  /** Called with the prefixes of every notice, this instance's own included. */
  onInvalidate(prefixes: string[]): unknown
  /** Called when notices may have been missed (the connection was lost): drop everything. */
  onGap(): void
  log: FastifyBaseLogger
  registry: Registry
  /** How often a quiet connection is checked, so a dead one is noticed. */
  pingSeconds?: number
}

function readNotice(payload: string | undefined): string[] | undefined {
  try {
    const { prefixes } = JSON.parse(payload ?? '') as { prefixes?: unknown }
    if (Array.isArray(prefixes) && prefixes.every((prefix) => typeof prefix === 'string')) return prefixes
  } catch {}
  return undefined
}

/**
 * Listens for invalidation notices on a connection of its own, for as long as the app runs. A lost
 * connection (the database restarted, the network dropped it, a ping went unanswered) is reopened
 * with backoff, and the cache is dropped both when it is lost and when listening resumes, since
 * notices sent in between never arrive.
 */
export function listenForInvalidations({ databaseUrl, onInvalidate, onGap, log, registry, pingSeconds = 10 }: Options) {
  const listening = new Gauge({
    name: 'admin_cache_invalidation_listening',
    help: '1 while this instance receives cache invalidations from the others',
    // With several processes, 0 when any of them does not.
    aggregator: 'min',
    registers: [registry],
  })
  let stopped = false
  const stopping = new AbortController()
  let firstAttemptDone: () => void = () => {}
  const firstAttempt = new Promise<void>((resolve) => (firstAttemptDone = resolve))
  let client: pg.Client | undefined

  async function listenOnce() {
    const connection = new pg.Client({
      connectionString: databaseUrl,
      application_name: 'admin-service-invalidations',
      keepAlive: true,
      connectionTimeoutMillis: 5000,
      query_timeout: 5000,
    })
    client = connection
    const lost = new Promise<unknown>((resolve) => {
      connection.once('error', resolve)
      connection.once('end', resolve)
    })
    connection.on('error', () => {}) // later errors of a connection already lost
    await connection.connect()
    await connection.query(`LISTEN ${INVALIDATION_CHANNEL}`)
    connection.on('notification', ({ payload }) => {
      const prefixes = readNotice(payload)
      if (prefixes) return onInvalidate(prefixes)
      log.warn({ payload }, 'an unreadable cache invalidation notice; dropping the whole cache')
      onGap()
    })
    onGap()
    listening.set(1)
    firstAttemptDone()
    log.info('listening for cache invalidations')
    const ping = setInterval(() => connection.query('SELECT 1').catch(() => connection.end()), pingSeconds * 1000)
    ping.unref()
    const reason = await lost
    clearInterval(ping)
    listening.set(0)
    onGap()
    connection.end().catch(() => {})
    if (!stopped) log.warn({ err: reason }, 'lost the cache invalidation connection; the cache was dropped, reconnecting')
  }

  const running = (async () => {
    for (let backoffMs = 100; !stopped; backoffMs = Math.min(backoffMs * 2, 5000)) {
      const started = Date.now()
      await listenOnce().catch((error: unknown) => {
        client?.end().catch(() => {})
        if (!stopped) log.warn({ err: error }, 'cannot listen for cache invalidations yet; retrying')
      })
      firstAttemptDone()
      // A connection that held for a while starts the backoff over.
      if (Date.now() - started > 30_000) backoffMs = 50
      if (!stopped) await sleep(backoffMs, undefined, { signal: stopping.signal }).catch(() => {})
    }
  })()

  return {
    /** Settles once the first connection was made or failed: a start with the database down is not held up. */
    firstAttempt,
    async close() {
      stopped = true
      stopping.abort()
      await client?.end().catch(() => {})
      await running
    },
  }
}

import { LRUCache } from 'lru-cache'
import { Counter, Gauge, type Registry } from 'prom-client'

export type CacheOutcome = 'HIT' | 'MISS' | 'STALE'

type Entry = { value: unknown; fetchedAt: number; bytes: number }
/** What a lookup hands the shared load: how to load, and for how long an answer is fresh and servable. */
type Loading = { load: () => Promise<unknown>; ttlMs: number; maxStaleMs: number }

export type CacheOptions = {
  maxEntries: number
  maxBytes: number
  /** Seconds past its TTL an entry is still served when refreshing it fails. */
  maxStaleSeconds: number
  registry: Registry
}

export type Lookup<T> = {
  key: string
  /** Labels the entry's family in /metrics ("metrics", "users"). */
  family: string
  /** 0 does not cache. */
  ttlSeconds: number
  load: () => Promise<T>
}

/**
 * Answers of the services behind admin-service, by key, each for its TTL. Bounded in entries and
 * in bytes (least recently used go first). Concurrent lookups of a missing or expired key share
 * one load. When a refresh fails, the last answer is served as STALE (and tried again once per TTL)
 * until it is `maxStaleSeconds` past its TTL; after that the failure is the answer.
 */
export function createResponseCache({ maxEntries, maxBytes, maxStaleSeconds, registry }: CacheOptions) {
  const maxStaleMs = maxStaleSeconds * 1000
  // What a load in flight fails with when its key is invalidated (dropped, never stored): a lookup
  // that meets it loads again rather than failing.
  const invalidatedLoads = new WeakSet<object>()
  // Keys with loads in flight (how many: an invalidated one may still run beside its successor),
  // which the cache's own key list leaves out.
  const loading = new Map<string, number>()
  const entries = new LRUCache<string, Entry, Loading>({
    max: maxEntries,
    maxSize: maxBytes,
    // The key counts too: a long query string (q, cursor) with an empty answer is not free.
    sizeCalculation: (entry, key) => entry.bytes + Buffer.byteLength(key),
    fetchMethod: async (key, stale, { signal, context: { load, ttlMs, maxStaleMs } }) => {
      signal.addEventListener('abort', () => invalidatedLoads.add(signal.reason))
      loading.set(key, (loading.get(key) ?? 0) + 1)
      try {
        const value = await load()
        return { value, fetchedAt: Date.now(), bytes: Buffer.byteLength(JSON.stringify(value)) }
      } catch (error) {
        // Kept as it was (its age tells it is stale) for another TTL: one more try per TTL, not per request.
        if (stale && Date.now() - stale.fetchedAt <= ttlMs + maxStaleMs) return stale
        throw error
      } finally {
        const left = (loading.get(key) ?? 1) - 1
        if (left === 0) loading.delete(key)
        else loading.set(key, left)
      }
    },
  })
  const lookups = new Counter({
    name: 'admin_cache_lookups_total',
    help: 'Cache lookups by family and outcome (hit, miss, stale)',
    labelNames: ['family', 'outcome'],
    registers: [registry],
  })
  new Gauge({
    name: 'admin_cache_entries',
    help: 'Entries in the cache',
    registers: [registry],
    collect() {
      this.set(entries.size)
    },
  })
  new Gauge({
    name: 'admin_cache_bytes',
    help: 'Bytes the cached answers take, as JSON, with their keys',
    registers: [registry],
    collect() {
      this.set(entries.calculatedSize)
    },
  })

  async function fetchEntry(key: string, context: Loading) {
    const status: LRUCache.Status<string, Entry, Loading> = {}
    const entry = await entries.fetch(key, { ttl: context.ttlMs, context, status }).catch((error: unknown) => {
      if (error instanceof Object && invalidatedLoads.has(error)) return undefined
      throw error
    })
    return { entry, hit: status.fetch === 'hit' }
  }

  async function get<T>({ key, family, ttlSeconds, load }: Lookup<T>): Promise<{ value: T; outcome: CacheOutcome }> {
    if (ttlSeconds <= 0) return { value: await load(), outcome: 'MISS' }
    const context = { load, ttlMs: ttlSeconds * 1000, maxStaleMs }
    // An entry too old to serve even as stale goes first, so a failing load surfaces as the failure.
    const servable = Date.now() - context.ttlMs - maxStaleMs
    if ((entries.peek(key, { allowStale: true })?.fetchedAt ?? servable) < servable) entries.delete(key)

    let { entry, hit } = await fetchEntry(key, context)
    if (entry === undefined) ({ entry, hit } = await fetchEntry(key, context))
    // Invalidated again meanwhile (a burst of actions): this answer is fresh enough to give, not to keep.
    if (entry === undefined) return { value: await load(), outcome: 'MISS' }

    const outcome: CacheOutcome = Date.now() - entry.fetchedAt > context.ttlMs ? 'STALE' : hit ? 'HIT' : 'MISS'
    lookups.inc({ family, outcome: outcome.toLowerCase() })
    return { value: entry.value as T, outcome }
  }

  return {
    get,
    /** Drops every entry whose key starts with one of `prefixes` ("" drops all); returns how many. */
    invalidate(prefixes: readonly string[]) {
      let dropped = 0
      for (const key of new Set([...entries.keys(), ...loading.keys()])) {
        if (prefixes.some((prefix) => key.startsWith(prefix)) && entries.delete(key)) dropped++
      }
      return dropped
    },
    clear: () => entries.clear(),
  }
}

export type ResponseCache = ReturnType<typeof createResponseCache>

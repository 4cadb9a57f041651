import { Registry } from 'prom-client'
import t from 'tap'
import { createResponseCache } from '../src/cache/response-cache.ts'

const cacheOf = (options: Partial<Parameters<typeof createResponseCache>[0]> = {}) =>
  createResponseCache({ maxEntries: 100, maxBytes: 10_000, maxStaleSeconds: 60, registry: new Registry(), ...options })

t.test('bounded in bytes: the least recently used answers go first', async (t) => {
  const cache = cacheOf({ maxBytes: 1000 })
  let loads = 0
  const lookup = (key: string) =>
    cache.get({ key, family: 'test', ttlSeconds: 60, load: async () => ({ key, text: 'x'.repeat(400), load: ++loads }) })
  await lookup('a')
  await lookup('b')
  t.equal((await lookup('a')).outcome, 'HIT')
  await lookup('c')
  t.equal((await lookup('b')).outcome, 'MISS', 'b was the least recently used')
  t.equal(loads, 4)
})

t.test('keys count toward the bytes: long query strings with empty answers cannot fill memory unseen', async (t) => {
  const registry = new Registry()
  const cache = cacheOf({ maxBytes: 10_000, registry })
  const key = (i: number) => `users?q=${String(i).padEnd(2000, 'x')}`
  for (let i = 0; i < 10; i++) await cache.get({ key: key(i), family: 'users', ttlSeconds: 60, load: async () => ({}) })
  const bytes = /admin_cache_bytes (\d+)/.exec(await registry.metrics())
  t.ok(Number(bytes?.[1]) <= 10_000, `held ${bytes?.[1]} bytes`)
  t.equal((await cache.get({ key: key(9), family: 'users', ttlSeconds: 60, load: async () => ({}) })).outcome, 'HIT')
  t.equal((await cache.get({ key: key(0), family: 'users', ttlSeconds: 60, load: async () => ({}) })).outcome, 'MISS', 'the oldest went')
})

t.test('a load that is invalidated while it runs is not stored; its waiters get a fresh load', async (t) => {
  const cache = cacheOf()
  const answers = ['before the ban', 'after the ban']
  let release: () => void = () => {}
  const load = async () => {
    const answer = answers.shift()
    if (answer === 'before the ban') await new Promise<void>((resolve) => (release = resolve))
    return { answer }
  }
  const waiting = cache.get({ key: 'users/1', family: 'user', ttlSeconds: 60, load })
  await new Promise((resolve) => setImmediate(resolve))
  t.equal(cache.invalidate(['users/']), 1)
  release()
  t.same((await waiting).value, { answer: 'after the ban' })
  t.same(
    (await cache.get({ key: 'users/1', family: 'user', ttlSeconds: 60, load })).value,
    { answer: 'after the ban' },
    'and that is what is kept',
  )
})

t.test('a failing load fails every lookup waiting on it, once, and caches nothing', async (t) => {
  const cache = cacheOf()
  let loads = 0
  const load = async () => {
    loads++
    await new Promise((resolve) => setTimeout(resolve, 10))
    throw new Error('upstream down')
  }
  const lookups = Array.from({ length: 5 }, () => cache.get({ key: 'metrics', family: 'metrics', ttlSeconds: 60, load }))
  const outcomes = await Promise.allSettled(lookups)
  t.same(new Set(outcomes.map((outcome) => outcome.status)), new Set(['rejected']))
  t.equal(loads, 1)
  await t.rejects(cache.get({ key: 'metrics', family: 'metrics', ttlSeconds: 60, load }), /upstream down/)
  t.equal(loads, 2, 'the failure was not cached')
})

t.test('a TTL of 0 caches nothing', async (t) => {
  const cache = cacheOf()
  let loads = 0
  const load = async () => ({ load: ++loads })
  await cache.get({ key: 'k', family: 'f', ttlSeconds: 0, load })
  t.same(await cache.get({ key: 'k', family: 'f', ttlSeconds: 0, load }), { value: { load: 2 }, outcome: 'MISS' })
})

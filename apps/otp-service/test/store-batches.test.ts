import { createHash } from 'node:crypto'
import pg from 'pg'
import t, { type Test } from 'tap'
import { createOtpStore, type IssueRequest, type OtpLimits } from '../src/otp/store.ts'
import { testDatabase } from './helpers.ts'

const database = await testDatabase(t)

const limits: OtpLimits = {
  ttlSeconds: 600,
  maxAttempts: 5,
  cooldownSeconds: 30,
  windowSeconds: 300,
  windowMax: 3,
  dailyMax: 10,
  ipWindowSeconds: 3600,
  ipMax: 1,
  failureWindowSeconds: 3600,
  failureMax: 10,
}

/** A store on a pool of its own, counting the statements it sends and the size of each batch. */
function countingStore(t: Test, maxBatch = 64, concurrency = 1) {
  const pool = new pg.Pool({ connectionString: database.url, max: 4 })
  t.teardown(() => pool.end())
  const counter = { statements: 0, sizes: [] as number[] }
  const query = ((...args: Parameters<pg.Pool['query']>) => {
    counter.statements++
    return pool.query(...args)
  }) as pg.Pool['query']
  const batchSizes = { observe: (_labels: object, size: number) => counter.sizes.push(size) }
  return { store: createOtpStore({ query }, limits, { maxBatch, concurrency, batchSizes }), counter }
}

const hash = (code: string) => createHash('sha256').update(code).digest()
const sms = (destination: string, extra: Partial<IssueRequest> = {}): IssueRequest => ({
  channel: 'sms',
  destination,
  purpose: 'login',
  userType: 'live',
  codeHash: hash(`${destination}-code`),
  requirePending: false,
  limited: true,
  clientIp: `ip-of-${destination}`,
  ...extra,
})

t.test('sends that arrive together share one statement, and each gets its own outcome', async (t) => {
  const { store, counter } = countingStore(t)
  const results = await Promise.all([
    store.issue(sms('+14155550101')),
    store.issue(sms('+14155550101', { clientIp: '198.51.100.1' })),
    store.issue(sms('+14155550102', { requirePending: true })),
    store.issue(sms('+14155550103', { clientIp: '198.51.100.2' })),
    store.issue(sms('+14155550104', { clientIp: '198.51.100.2' })),
    store.issue(sms('+14155550105', { limited: false, clientIp: '198.51.100.2' })),
  ])
  t.equal(counter.statements, 1)
  t.same(
    results.map((result) => result.outcome),
    ['issued', 'cooldown', 'not_found', 'issued', 'ip_limit', 'issued'],
    'in request order: a repeat in the same batch sees the first; the address limit holds within the batch',
  )
})

t.test('verifies that arrive together share one statement, and each gets its own outcome', async (t) => {
  const { store, counter } = countingStore(t)
  const destinations = ['+14155550201', '+14155550202']
  await Promise.all(destinations.map((destination) => store.issue(sms(destination))))
  counter.statements = 0
  const key = (destination: string) => ({ channel: 'sms' as const, destination, purpose: 'login', userType: 'live' as const })
  const results = await Promise.all([
    store.verify(key('+14155550201'), hash('+14155550201-code')),
    store.verify(key('+14155550201'), hash('+14155550201-code')),
    store.verify(key('+14155550202'), hash('wrong')),
    store.verify(key('+14155550299'), hash('+14155550299-code')),
  ])
  t.equal(counter.statements, 1)
  t.same(results, [{ outcome: 'verified' }, { outcome: 'missing' }, { outcome: 'invalid', attemptsLeft: 4 }, { outcome: 'missing' }])
})

t.test('a batch holds at most DATABASE_BATCH_MAX requests', async (t) => {
  const { store, counter } = countingStore(t, 2)
  const results = await Promise.all(['1', '2', '3', '4', '5'].map((n) => store.issue(sms(`+1415555030${n}`))))
  t.equal(counter.statements, 3)
  t.same(counter.sizes, [2, 2, 1])
  t.ok(results.every((result) => result.outcome === 'issued'))
})

t.test('while a batch is out, the sends that arrive wait for it and leave together in the next', async (t) => {
  const held = '+14155550401'
  // Hold the first batch in the database: another session has its destination's lock.
  const blocker = new pg.Client({ connectionString: database.url })
  await blocker.connect()
  t.teardown(() => blocker.end())
  const lock = (fn: string) => blocker.query(`SELECT ${fn}(hashtextextended('sms:' || $1, 0))`, [held])
  const nextRound = () => new Promise((resolve) => setImmediate(resolve))

  for (const concurrency of [1, 2]) {
    await lock('pg_advisory_lock')
    const { store, counter } = countingStore(t, 64, concurrency)
    const sends = [store.issue(sms(held, { limited: false }))]
    for (const n of [2, 3, 4]) {
      await nextRound()
      sends.push(store.issue(sms(`+14155550${concurrency}0${n}`)))
    }
    await nextRound()
    await lock('pg_advisory_unlock')
    await Promise.all(sends)
    if (concurrency === 1) t.same(counter.sizes, [1, 3], 'one batch out at a time: the three later sends waited together')
    else t.same(counter.sizes.slice(0, 2), [1, 1], 'two batches out at a time: the second send went out beside the held one')
    t.equal(
      counter.sizes.reduce((sum, size) => sum + size, 0),
      4,
    )
  }
})

t.test('batches on two instances whose destinations and addresses cross never deadlock', async (t) => {
  const instances = [countingStore(t).store, countingStore(t).store]
  for (let round = 0; round < 20; round++) {
    const ips = [`203.0.113.${2 * round}`, `203.0.113.${2 * round + 1}`]
    // Instance 0 takes addresses in the order ip0, ip1; instance 1 in the order ip1, ip0.
    const batches = instances.map((store, i) =>
      Promise.all(
        [0, 1].map((j) => store.issue(sms(`+14155560${String(round).padStart(2, '0')}${i}${j}`, { clientIp: ips[(i + j) % 2] }))),
      ),
    )
    const outcomes = (await Promise.all(batches)).flat().map((result) => result.outcome)
    t.same(outcomes.sort(), ['ip_limit', 'ip_limit', 'issued', 'issued'], `round ${round}: one send per address`)
  }
})

import { createHash } from 'node:crypto'
import pg from 'pg'
import t, { type Test } from 'tap'
import { createOtpStore, type IssueRequest, type OtpLimits, type VerifyRequest } from '../src/otp/store.ts'
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
  ipFailureWindowSeconds: 3600,
  ipFailureMax: 3,
}

/** A store on a pool of its own, counting the statements it sends and the size of each batch. */
function countingStore(t: Test, maxBatch = 64, concurrency = 1, overrides: Partial<OtpLimits> = {}) {
  const pool = new pg.Pool({ connectionString: database.url, max: 4 })
  t.teardown(() => pool.end())
  const counter = { statements: 0, sizes: [] as number[] }
  const query = ((...args: Parameters<pg.Pool['query']>) => {
    counter.statements++
    return pool.query(...args)
  }) as pg.Pool['query']
  const batchSizes = { observe: (_labels: object, size: number) => counter.sizes.push(size) }
  return {
    store: createOtpStore({ query }, { ...limits, ...overrides }, { maxBatch, concurrency, batchSizes }),
    counter,
  }
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
  callingCode: null,
  countryBudget: null,
  ...extra,
})

const attempt = (destination: string, code: string, clientIp: string | null = null): VerifyRequest => ({
  channel: 'sms',
  destination,
  purpose: 'login',
  userType: 'live',
  codeHash: hash(code),
  clientIp,
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
    ['issued', 'cooldown', 'not_found', 'issued', 'ip_limit', 'ip_limit'],
    'in request order: a repeat in the same batch sees the first; the address limit holds within the batch, for test destinations too',
  )
})

t.test('verifies that arrive together share one statement, and each gets its own outcome', async (t) => {
  const { store, counter } = countingStore(t)
  const destinations = ['+14155550201', '+14155550202']
  await Promise.all(destinations.map((destination) => store.issue(sms(destination))))
  counter.statements = 0
  const results = await Promise.all([
    store.verify(attempt('+14155550201', '+14155550201-code')),
    store.verify(attempt('+14155550201', '+14155550201-code')),
    store.verify(attempt('+14155550202', 'wrong')),
    store.verify(attempt('+14155550299', '+14155550299-code')),
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

t.test('a request the database refuses fails alone; the rest of its batch gets its normal answers', async (t) => {
  const { store, counter } = countingStore(t)
  const sends = ['+14155550501', 'a\u0000b@example.com', '+14155550502', '+14155550503', '+14155550504'].map((destination, i) =>
    store.issue(sms(destination, { clientIp: `198.51.100.${50 + i}` })),
  )
  const results = await Promise.allSettled(sends)
  t.match(results[1], { status: 'rejected', reason: { statusCode: 400, code: 'VALIDATION_ERROR' } })
  t.same(
    results.filter((result) => result.status === 'fulfilled').map((result) => result.value.outcome),
    ['issued', 'issued', 'issued', 'issued'],
  )
  t.same(counter.sizes, [5, 1, 1, 1, 1, 1], 'the batch failed whole and each request ran again alone')
  const [written] = await database.query<{ n: number }>("SELECT count(*)::int AS n FROM otp_codes WHERE destination LIKE '+1415555050_'")
  t.equal(written?.n, 4, 'each good send written once, the rolled-back batch left nothing behind')
})

t.test("a refused delivery takes back exactly its own send from its destination, not those of its batch, nor the address's", async (t) => {
  const { store } = countingStore(t, 64, 1, { ipMax: 12 })
  const ip = '198.51.100.77'
  const requests = ['+14155550601', '+14155550602', '+14155550603'].map((destination) => sms(destination, { clientIp: ip }))
  const issued = await Promise.all(requests.map((request) => store.issue(request)))
  const times = issued.map((result) => (result.outcome === 'issued' ? result.issuedAt : ''))
  t.equal(new Set(times).size, 1, 'the three sends of one batch share one timestamp')
  await store.release(requests[1] as IssueRequest, times[1] as string)
  const [client] = await database.query<{ n: number }>('SELECT cardinality(sent_at) AS n FROM otp_client_ips WHERE ip = $1', [ip])
  t.equal(client?.n, 3, 'the address keeps all three: one address cannot send without end to destinations a provider refuses')
  const codes = await database.query<{ destination: string; live: boolean; sends: number }>(
    "SELECT destination, code_hash IS NOT NULL AS live, cardinality(sent_at) AS sends FROM otp_codes WHERE destination LIKE '+1415555060_' ORDER BY 1",
  )
  t.same(codes, [
    { destination: '+14155550601', live: true, sends: 1 },
    { destination: '+14155550602', live: false, sends: 0 },
    { destination: '+14155550603', live: true, sends: 1 },
  ])
})

t.test('an instance of the previous release, still running during a rollout, releases through the signature it knows', async (t) => {
  const { store } = countingStore(t)
  const request = sms('+14155550611', { clientIp: '198.51.100.79' })
  const issued = await store.issue(request)
  t.equal(issued.outcome, 'issued')
  await database.query(
    `SELECT otp_release(p_channel => $1, p_destination => $2, p_purpose => $3, p_user_type => $4, p_code_hash => $5,
       p_client_ip => $6, p_calling_code => NULL, p_country_counted => false, p_issued_at => $7)`,
    ['sms', '+14155550611', 'login', 'live', request.codeHash, '198.51.100.79', issued.outcome === 'issued' ? issued.issuedAt : ''],
  )
  t.same(await database.query("SELECT code_hash IS NULL AS withdrawn FROM otp_codes WHERE destination = '+14155550611'"), [
    { withdrawn: true },
  ])
})

t.test("a failed delivery gives its country's budget back, in the hour it was counted", async (t) => {
  const { store } = countingStore(t)
  const request = sms('+447911123401', { clientIp: '198.51.100.78', callingCode: '44', countryBudget: 1 })
  const issued = await store.issue(request)
  t.equal(issued.outcome, 'issued')
  t.equal((await store.issue(sms('+447911123402', { callingCode: '44', countryBudget: 1 }))).outcome, 'country_limit')
  await store.release(request, issued.outcome === 'issued' ? issued.issuedAt : '')
  t.same(await database.query("SELECT count FROM otp_country_sends WHERE calling_code = '44'"), [{ count: 0 }])
  t.equal((await store.issue(sms('+447911123403', { callingCode: '44', countryBudget: 1 }))).outcome, 'issued')
})

t.test('wrong codes are capped per client address, across destinations, not per destination', async (t) => {
  const { store } = countingStore(t)
  const stranger = '203.0.113.90'
  const targets = ['+14155550701', '+14155550702']
  await Promise.all(targets.map((destination) => store.issue(sms(destination, { clientIp: null }))))
  const guesses = [
    await store.verify(attempt(targets[0] as string, 'guess-1', stranger)),
    await store.verify(attempt(targets[1] as string, 'guess-2', stranger)),
    await store.verify(attempt(targets[0] as string, 'guess-3', stranger)),
    await store.verify(attempt(targets[1] as string, `${targets[1]}-code`, stranger)),
  ]
  t.match(guesses, [
    { outcome: 'invalid' },
    { outcome: 'invalid' },
    { outcome: 'invalid' },
    { outcome: 'client_locked', retryAfter: Number },
  ])
  t.same(
    await store.verify(attempt(targets[1] as string, `${targets[1]}-code`, '198.51.100.90')),
    { outcome: 'verified' },
    'the owner is not locked out',
  )
})

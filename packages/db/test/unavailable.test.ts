import pg from 'pg'
import t from 'tap'
import { createPool, isDatabaseUnavailable } from '../index.ts'
import { CLOSED_PORT_URL, SERVER_URL } from './helpers/server.ts'

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection')
    },
    (err: unknown) => err,
  )
}

t.test('raw pg against a closed port', async (t) => {
  const pool = createPool({ connectionString: CLOSED_PORT_URL })
  t.teardown(() => pool.end())
  t.ok(isDatabaseUnavailable(await rejection(pool.query('SELECT 1'))))
})

t.test('a statement past the statement timeout is an outage, and so is a server that goes silent', async (t) => {
  const pool = createPool({ connectionString: SERVER_URL, statementTimeoutMillis: 100 })
  t.teardown(() => pool.end())
  const cancelled = await rejection(pool.query('SELECT pg_sleep(2)'))
  t.match(cancelled, { code: '57014' })
  t.ok(isDatabaseUnavailable(cancelled), 'cancelled by the server')
  // With the server's timeout lifted for this statement, the client's own gives up after 1.1 s.
  const silent = await rejection(pool.query('SET statement_timeout = 0; SELECT pg_sleep(3)'))
  t.match(silent, { message: 'Query read timeout' })
  t.ok(isDatabaseUnavailable(silent), 'given up by the client')
  t.equal((await pool.query('SELECT 1 AS one')).rows[0].one, 1, 'the pool still serves')
})

t.test('a client whose connection broke is an outage, at its next statement too', async (t) => {
  const client = new pg.Client({ connectionString: SERVER_URL })
  await client.connect()
  // The server's notice, then the end of the connection: each an 'error' of the idle client.
  client.on('error', () => {})
  const broke = new Promise((resolve) => client.once('end', resolve))
  const pid = (await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid
  const admin = new pg.Client({ connectionString: SERVER_URL })
  await admin.connect()
  t.teardown(() => admin.end())
  await admin.query('SELECT pg_terminate_backend($1)', [pid])
  await broke
  const next = await rejection(client.query('SELECT 1'))
  t.match(next, { message: /not queryable/ })
  t.ok(isDatabaseUnavailable(next))
})

t.test('a unique violation is not an outage', async (t) => {
  const client = new pg.Client({ connectionString: SERVER_URL })
  await client.connect()
  t.teardown(() => client.end())
  await client.query('CREATE TEMP TABLE t (id int PRIMARY KEY)')
  await client.query('INSERT INTO t VALUES (1)')
  const err = await rejection(client.query('INSERT INTO t VALUES (1)'))
  t.match(err, { code: '23505' })
  t.notOk(isDatabaseUnavailable(err))
})

t.test('shapes thrown by pg and Prisma', async (t) => {
  const cases: [string, unknown, boolean][] = [
    ['pg pool wait', new Error('timeout exceeded when trying to connect'), true],
    ['pg connect timeout', new Error('Connection terminated due to connection timeout'), true],
    ['admin shutdown', Object.assign(new Error('terminating connection'), { code: '57P01' }), true],
    ['cannot connect now', { code: '57P03' }, true],
    ['too many connections', { code: '53300' }, true],
    ['connection exception class', { code: '08006' }, true],
    ['host unreachable', { code: 'EHOSTUNREACH' }, true],
    ['network unreachable', { code: 'ENETUNREACH' }, true],
    ['name not resolved for now', { code: 'EAI_AGAIN' }, true],
    ['written to a closed connection', { code: 'EPIPE' }, true],
    ['dual-stack refusal', new AggregateError([{ code: 'ECONNREFUSED' }]), true],
    ['wrapped in cause', new Error('request failed', { cause: { code: 'ECONNRESET' } }), true],
    [
      'Prisma raw query, server shut down',
      {
        code: 'P2010',
        meta: { driverAdapterError: { cause: { kind: 'postgres', code: '57P01' } } },
      },
      true,
    ],
    [
      'Prisma raw query, unique violation',
      {
        code: 'P2010',
        meta: { driverAdapterError: { cause: { kind: 'UniqueConstraintViolation' } } },
      },
      false,
    ],
    ['syntax error', { code: '42601' }, false],
    ['plain error', new Error('boom'), false],
    ['not an error', 'ECONNREFUSED', false],
    ['nothing', undefined, false],
  ]
  for (const [label, err, expected] of cases) t.equal(isDatabaseUnavailable(err), expected, label)

  const cyclic: { cause?: unknown } = {}
  cyclic.cause = cyclic
  t.notOk(isDatabaseUnavailable(cyclic), 'a cyclic cause chain ends')
})

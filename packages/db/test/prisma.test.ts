import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { createDatabase, isDatabaseUnavailable } from '../index.ts'
import { createTestDatabase } from '../testing.ts'
import { CLOSED_PORT_URL } from './helpers/server.ts'

type ClientModule = typeof import('./fixture/src/generated/prisma/client.ts')

const fixture = join(import.meta.dirname, 'fixture')
const bin = join(import.meta.dirname, '..', 'bin', 'suite-db.js')

// Generated here rather than imported statically: the client is the output under test.
const generate = await promisify(execFile)(process.execPath, [bin, 'generate'], { cwd: fixture })
const { PrismaClient }: ClientModule = await import('./fixture/src/generated/prisma/client.ts')

t.match(generate.stdout, /Generated Prisma Client/, 'suite-db generate works offline')

t.test('the generated client reads and writes through createDatabase', async (t) => {
  const database = await createTestDatabase({
    migrationsDir: join(fixture, 'prisma', 'migrations'),
  })
  // One connection, so the statements Prisma prepared are visible to the check below.
  const { pool, prisma, ping, close } = createDatabase({ url: database.url, poolMax: 1 }, (adapter) => new PrismaClient({ adapter }))
  t.teardown(async () => {
    await close()
    await database.drop()
  })
  t.match(await ping(), { status: 'up' })

  const created = await prisma.account.create({
    data: { email: 'ada@example.com', sessions: { create: { expiresAt: new Date(0) } } },
  })
  const found = await prisma.account.findUnique({
    where: { email: 'ada@example.com' },
    include: { sessions: true },
  })
  t.equal(found?.id, created.id)
  t.equal(found?.sessions.length, 1)

  const prepared = await pool.query<{ name: string }>('SELECT name FROM pg_prepared_statements')
  t.ok(
    prepared.rows.some((row) => row.name.startsWith('prisma_')),
    'Prisma queries run as named prepared statements',
  )

  const duplicate = await prisma.account.create({ data: { email: 'ada@example.com' } }).catch((err: unknown) => err)
  t.match(duplicate, { code: 'P2002' })
  t.notOk(isDatabaseUnavailable(duplicate), 'a unique violation is not an outage')
})

t.test('Prisma errors for an unreachable database are recognised', async (t) => {
  const { pool, prisma, ping, close } = createDatabase({ url: CLOSED_PORT_URL }, (adapter) => new PrismaClient({ adapter }))
  t.match(await ping(), { status: 'down' })

  const modelError = await prisma.account.findMany().catch((err: unknown) => err)
  t.match(modelError, { code: 'P1001' })
  t.ok(isDatabaseUnavailable(modelError), 'model query (P1001)')

  const rawError = await prisma.$queryRaw`SELECT 1`.catch((err: unknown) => err)
  t.match(rawError, { code: 'P2010' })
  t.ok(isDatabaseUnavailable(rawError), 'raw query (P2010 wrapping DatabaseNotReachable)')

  await close()
  t.ok(pool.ended, 'close ends the pool')
})

t.test('a transaction that cannot get a connection in time (every one taken) is an outage, not a bug', async (t) => {
  const database = await createTestDatabase({ migrationsDir: join(fixture, 'prisma', 'migrations') })
  const { pool, prisma, close } = createDatabase({ url: database.url, poolMax: 1 }, (adapter) => new PrismaClient({ adapter }))
  t.teardown(async () => {
    await close()
    await database.drop()
  })
  const taken = await pool.connect()
  const starved = await prisma.$transaction(async (tx) => tx.account.count(), { maxWait: 200 }).catch((err: unknown) => err)
  taken.release()
  t.match(starved, { code: 'P2028', message: /Unable to start a transaction/ })
  t.ok(isDatabaseUnavailable(starved))

  const expired = await prisma
    .$transaction(
      async (tx) => {
        await tx.$queryRaw`SELECT pg_sleep(0.3)::text`
        return tx.account.count()
      },
      { timeout: 100 },
    )
    .catch((err: unknown) => err)
  t.match(expired, { code: 'P2028' })
  t.ok(isDatabaseUnavailable(expired), 'one that outlived its timeout, the database too slow')
  t.equal(await prisma.account.count(), 0, 'and the pool serves again')
})

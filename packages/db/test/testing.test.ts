import { join } from 'node:path'
import pg from 'pg'
import t from 'tap'
import { databaseName } from '../lib/databases.ts'
import { createTestDatabase } from '../testing.ts'
import { databaseExists, query } from './helpers/server.ts'

const migrationsDir = join(import.meta.dirname, 'fixture', 'prisma', 'migrations')

t.test('creates distinct migrated databases and drops them', async (t) => {
  const [first, second] = await Promise.all([
    createTestDatabase({ migrationsDir, prefix: 'Testing-Suite' }),
    createTestDatabase({ migrationsDir }),
  ])
  t.teardown(() => second.drop())
  t.not(first.url, second.url)
  t.match(databaseName(first.url), /^testing_suite_\d+_[0-9a-f]{8}$/)
  const records = await query('SELECT migration_name FROM _prisma_migrations', [], first.url)
  t.equal(records.length, 1)

  // A connection a test forgot to close must not stop the drop.
  const leftover = new pg.Client({ connectionString: first.url })
  leftover.on('error', () => {})
  await leftover.connect()
  t.same((await leftover.query('SELECT count(*)::int AS n FROM accounts')).rows, [{ n: 0 }])
  await first.drop()
  t.notOk(await databaseExists(databaseName(first.url)))
  await leftover.end()
})

t.test('a connection still closing when the drop starts leaves in peace', async (t) => {
  const database = await createTestDatabase({ migrationsDir })
  const closing = new pg.Client({ connectionString: database.url })
  const errors: unknown[] = []
  closing.on('error', (error) => errors.push(error))
  await closing.connect()
  const closed = new Promise((resolve) => setTimeout(resolve, 300)).then(() => closing.end())
  await database.drop()
  await closed
  t.same(errors, [], 'not cut off by the drop')
  t.notOk(await databaseExists(databaseName(database.url)))
})

t.test('drops the database again when the migrations fail', async (t) => {
  const before = await query("SELECT datname FROM pg_database WHERE datname LIKE 'broken_%'")
  await t.rejects(
    createTestDatabase({
      migrationsDir: join(import.meta.dirname, 'fixture', 'broken'),
      prefix: 'broken',
    }),
  )
  const after = await query("SELECT datname FROM pg_database WHERE datname LIKE 'broken_%'")
  t.equal(after.length, before.length)
})

import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { databaseName, dropDatabase } from '../lib/databases.ts'
import { applyMigrations, createMigration, resetDatabase } from '../tooling.ts'
import { databaseExists, query, uniqueUrl } from './helpers/server.ts'

const fixture = join(import.meta.dirname, 'fixture', 'prisma')
const FIXTURE_MIGRATION = '20261121053428_init_schema'

async function tempCopyOfFixture(t: Test): Promise<{ schemaPath: string; migrationsDir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'suite-db-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  await cp(fixture, dir, { recursive: true })
  return { schemaPath: join(dir, 'schema.prisma'), migrationsDir: join(dir, 'migrations') }
}

t.test('applyMigrations creates the database and applies each migration once', async (t) => {
  const databaseUrl = uniqueUrl('apply')
  t.teardown(() => dropDatabase(databaseUrl))
  const migrationsDir = join(fixture, 'migrations')

  t.same(await applyMigrations({ databaseUrl, migrationsDir }), { applied: [FIXTURE_MIGRATION] })
  t.same(await applyMigrations({ databaseUrl, migrationsDir }), { applied: [] })

  const records = await query<{ migration_name: string; finished_at: Date | null }>(
    'SELECT migration_name, finished_at FROM _prisma_migrations',
    [],
    databaseUrl,
  )
  t.equal(records.length, 1)
  t.equal(records[0]?.migration_name, FIXTURE_MIGRATION)
  t.ok(records[0]?.finished_at, 'recorded as finished')
  const tables = await query<{ tablename: string }>(
    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
    [],
    databaseUrl,
  )
  t.same(
    tables.map((row) => row.tablename),
    ['_prisma_migrations', 'accounts', 'sessions'],
  )
})

t.test('createMigration returns null when the schema matches the history', async (t) => {
  const databaseUrl = uniqueUrl('unchanged')
  const { schemaPath, migrationsDir } = await tempCopyOfFixture(t)

  t.equal(await createMigration({ databaseUrl, schemaPath, migrationsDir, name: 'noop' }), null)
  t.same(await readdir(migrationsDir), [FIXTURE_MIGRATION, 'migration_lock.toml'].sort())
  t.notOk(await databaseExists(databaseName(databaseUrl)), 'the target database is not touched')
  const shadows = await query('SELECT 1 FROM pg_database WHERE datname LIKE $1', [`${databaseName(databaseUrl)}_shadow_%`])
  t.equal(shadows.length, 0, 'the shadow database is dropped')
})

t.test('createMigration writes the SQL for a changed schema', async (t) => {
  const databaseUrl = uniqueUrl('changed')
  t.teardown(() => dropDatabase(databaseUrl))
  const { schemaPath, migrationsDir } = await tempCopyOfFixture(t)
  const schema = await readFile(schemaPath, 'utf8')
  await writeFile(schemaPath, `${schema}\nmodel AuditEvent {\n  id Int @id\n  kind String\n}\n`)

  const folder = await createMigration({
    databaseUrl,
    schemaPath,
    migrationsDir,
    name: 'Add audit',
  })
  t.match(folder, /[/\\]\d{14}_add_audit$/)
  const sql = await readFile(join(folder ?? '', 'migration.sql'), 'utf8')
  t.match(sql, /CREATE TABLE "AuditEvent"/)
  t.notMatch(sql, /accounts/, 'only the change, not the history')
  t.match(await readFile(join(migrationsDir, 'migration_lock.toml'), 'utf8'), /provider = "postgresql"/)

  const { applied } = await applyMigrations({ databaseUrl, migrationsDir })
  t.equal(applied.length, 2)
  t.equal(await createMigration({ databaseUrl, schemaPath, migrationsDir, name: 'again' }), null)
})

t.test('createMigration starts a history from an empty folder', async (t) => {
  const { schemaPath } = await tempCopyOfFixture(t)
  const migrationsDir = join(schemaPath, '..', 'fresh')
  const folder = await createMigration({
    databaseUrl: uniqueUrl('fresh'),
    schemaPath,
    migrationsDir,
    name: 'init',
  })
  t.match(await readFile(join(folder ?? '', 'migration.sql'), 'utf8'), /CREATE TABLE "accounts"/)
  t.ok((await readdir(migrationsDir)).includes('migration_lock.toml'))
})

t.test('resetDatabase leaves an empty database', async (t) => {
  const databaseUrl = uniqueUrl('reset')
  t.teardown(() => dropDatabase(databaseUrl))
  await applyMigrations({ databaseUrl, migrationsDir: join(fixture, 'migrations') })
  await resetDatabase(databaseUrl)
  const tables = await query("SELECT 1 FROM pg_tables WHERE schemaname = 'public'", [], databaseUrl)
  t.equal(tables.length, 0)
})

t.test('a hand-written migration with a function body and semicolons in strings applies whole', async (t) => {
  const databaseUrl = uniqueUrl('script')
  t.teardown(() => dropDatabase(databaseUrl))
  const { migrationsDir } = await tempCopyOfFixture(t)
  const folder = join(migrationsDir, '20991231000000_functions')
  await mkdir(folder)
  await writeFile(
    join(folder, 'migration.sql'),
    `CREATE FUNCTION greet(name text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  RETURN 'hello; ' || name;
END
$$;
CREATE TABLE notes (body text DEFAULT 'a; b');`,
  )
  const { applied } = await applyMigrations({ databaseUrl, migrationsDir })
  t.equal(applied.length, 2)
  const [row] = await query<{ greeting: string }>("SELECT greet('ada') AS greeting", [], databaseUrl)
  t.equal(row?.greeting, 'hello; ada')
})

t.test('a failing migration leaves no half-applied statements behind', async (t) => {
  const databaseUrl = uniqueUrl('atomic')
  t.teardown(() => dropDatabase(databaseUrl))
  const { migrationsDir } = await tempCopyOfFixture(t)
  const folder = join(migrationsDir, '20991231000000_broken')
  await mkdir(folder)
  await writeFile(join(folder, 'migration.sql'), 'CREATE TABLE half_done (id int);\nCREATE TABLE oops (id nosuchtype);')
  await t.rejects(applyMigrations({ databaseUrl, migrationsDir }), /nosuchtype/)
  const tables = await query("SELECT 1 FROM pg_tables WHERE tablename = 'half_done'", [], databaseUrl)
  t.equal(tables.length, 0, 'the statement before the error was rolled back')
})

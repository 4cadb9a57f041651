import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { createPool } from '../index.ts'
import { applyMigrations, startEmbeddedPostgres } from '../tooling.ts'

t.test('the embedded PostgreSQL takes migrations and queries like a server, and keeps its data', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'otp-embedded-'))
  t.teardown(() => rm(dataDir, { recursive: true, force: true }))
  const port = 20_000 + (process.pid % 20_000)
  const migrationsDir = join(import.meta.dirname, 'fixture', 'prisma', 'migrations')

  const first = await startEmbeddedPostgres({ dataDir, port })
  t.same((await applyMigrations({ databaseUrl: first.url, migrationsDir })).applied.length, 1)
  const pool = createPool({ connectionString: first.url, max: 4 })
  const tables = await pool.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
  t.same(
    tables.rows.map((row) => row.tablename),
    ['_prisma_migrations', 'accounts', 'sessions'],
  )
  await pool.end()
  await first.stop()

  const again = await startEmbeddedPostgres({ dataDir, port })
  t.same(await applyMigrations({ databaseUrl: again.url, migrationsDir }), { applied: [] }, 'the data survived a restart')
  await again.stop()
})

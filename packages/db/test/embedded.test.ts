import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { createPool, pingDatabase } from '../index.ts'
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

t.test('`suite-db embedded` stops cleanly when the process that started it goes, and its data is kept', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'otp-embedded-'))
  t.teardown(() => rm(dataDir, { recursive: true, force: true }))
  const port = 20_000 + ((process.pid + 1) % 20_000)
  const bin = join(import.meta.dirname, '..', 'bin', 'suite-db.js')
  const server = spawn(process.execPath, [bin, 'embedded', dataDir, String(port)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
  t.teardown(() => server.kill('SIGKILL'))
  const pool = createPool({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres`, max: 1 })
  let up = false
  for (let i = 0; i < 300 && !up; i++) {
    up = (await pingDatabase(pool)).status === 'up'
    if (!up) await new Promise((resolve) => setTimeout(resolve, 100))
  }
  t.ok(up, 'serving')
  await pool.query('CREATE TABLE kept (id int); INSERT INTO kept VALUES (1)')
  await pool.end()

  // Its channel closes as it would if the starter died (by SIGKILL, a second Ctrl-C…).
  const exited = new Promise<number | null>((resolve) => server.once('exit', resolve))
  server.disconnect()
  t.equal(await exited, 0, 'a clean stop, not an orphan')

  const again = await startEmbeddedPostgres({ dataDir, port })
  const reopened = createPool({ connectionString: again.url, max: 1 })
  t.same((await reopened.query('SELECT id FROM kept')).rows, [{ id: 1 }], 'what it had written is there')
  await reopened.end()
  await again.stop()
})

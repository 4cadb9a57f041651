import { randomUUID } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import pg from 'pg'
import { databaseName, dropDatabase, ensureDatabase, maintenanceUrl, withDatabaseName } from './databases.ts'
import { readMigrations, writeMigration } from './migrations-dir.ts'
import { NO_FILTERS, withSchemaEngine } from './schema-engine.ts'

export interface ApplyMigrationsOptions {
  databaseUrl: string
  migrationsDir: string
}

/**
 * Applies the pending `migrationsDir/<name>/migration.sql` files and records them in
 * `_prisma_migrations`, as `prisma migrate deploy` does. Creates the database if missing.
 */
export async function applyMigrations(options: ApplyMigrationsOptions): Promise<{ applied: string[] }> {
  await ensureDatabase(options.databaseUrl)
  const migrationsList = await readMigrations(options.migrationsDir)
  const output = await withSchemaEngine({ url: options.databaseUrl }, (engine) =>
    engine.applyMigrations({ migrationsList, filters: NO_FILTERS }),
  )
  return { applied: output.appliedMigrationNames }
}

export interface CreateMigrationOptions {
  databaseUrl: string
  schemaPath: string
  migrationsDir: string
  name: string
}

/**
 * Writes a migration taking the history in `migrationsDir` to the Prisma schema; returns its
 * folder, or null when the schema needs no change. The history is replayed on a throwaway
 * shadow database on the server of `databaseUrl`; that database itself is not touched.
 */
export async function createMigration(options: CreateMigrationOptions): Promise<string | null> {
  const schema = await readFile(options.schemaPath, 'utf8')
  const migrationsList = await readMigrations(options.migrationsDir)
  const shadowName = `${databaseName(options.databaseUrl)}_shadow_${randomUUID().slice(0, 8)}`
  const shadowUrl = withDatabaseName(options.databaseUrl, shadowName)
  await ensureDatabase(shadowUrl)
  try {
    const diff = await withSchemaEngine({ url: maintenanceUrl(options.databaseUrl), shadowUrl }, (engine) =>
      engine.diff({
        from: { tag: 'migrations', ...migrationsList },
        to: { tag: 'schemaDatamodel', files: [{ path: options.schemaPath, content: schema }] },
        script: true,
        // Asks the engine to report an empty diff as exit code 0 (2 otherwise).
        exitCode: true,
        filters: NO_FILTERS,
      }),
    )
    if (diff.exitCode === 0 || diff.stdout === null) return null
    return await writeMigration(options.migrationsDir, options.name, diff.stdout)
  } finally {
    await dropDatabase(shadowUrl)
  }
}

/** Drops the database and creates it empty again. */
export async function resetDatabase(databaseUrl: string): Promise<void> {
  await dropDatabase(databaseUrl)
  await ensureDatabase(databaseUrl)
}

export interface MigrationStatus {
  reachable: boolean
  latencyMs: number
  /** Migrations in `migrationsDir` the database has not finished applying. */
  pending: string[]
  error?: string
}

/** Whether the database answers, how fast, and which migrations of `migrationsDir` it still lacks. */
export async function migrationStatus(options: ApplyMigrationsOptions): Promise<MigrationStatus> {
  const folders = (await readMigrations(options.migrationsDir)).migrationDirectories.map((directory) => directory.path)
  const client = new pg.Client({ connectionString: options.databaseUrl, connectionTimeoutMillis: 3000, query_timeout: 3000 })
  const started = performance.now()
  try {
    await client.connect()
    await client.query('SELECT 1')
    const latencyMs = Math.round(performance.now() - started)
    const { rows } = await client
      .query<{ name: string }>(
        `SELECT migration_name AS name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
      )
      .catch(() => ({ rows: [] as { name: string }[] }))
    const applied = new Set(rows.map((row) => row.name))
    return { reachable: true, latencyMs, pending: folders.filter((folder) => !applied.has(folder)) }
  } catch (error) {
    return { reachable: false, latencyMs: Math.round(performance.now() - started), pending: folders, error: (error as Error).message }
  } finally {
    await client.end().catch(() => {})
  }
}

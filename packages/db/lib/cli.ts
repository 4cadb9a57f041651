import { join } from 'node:path'

// Each command loads only what it uses: the embedded server, which runs for hours, would otherwise
// hold the schema engine and Prisma's generator in memory (about 0.5 GB) for nothing.
const migrations = () => import('./migrate.ts')

const USAGE = 'usage: suite-db migrate | status | migration <name> | generate [prisma args] | reset | embedded <data-dir> <port>'

function databaseUrl(): string {
  const url = process.env.DATABASE_URL
  if (!url) throw new Error('DATABASE_URL is not set (e.g. postgres://postgres@127.0.0.1:5432/otp)')
  return url
}

async function migrate(migrationsDir: string): Promise<void> {
  const { applyMigrations } = await migrations()
  // With a role that may make roles and databases (a managed server's master role), the database
  // first gets a role of its own: DATABASE_URL's user, which the migrations then run as.
  const adminUrl = process.env.DATABASE_ADMIN_URL
  if (adminUrl) await (await import('./databases.ts')).provisionDatabase(adminUrl, databaseUrl())
  const { applied } = await applyMigrations({ databaseUrl: databaseUrl(), migrationsDir })
  console.log(applied.length === 0 ? 'No pending migrations' : `Applied migrations: ${applied.join(', ')}`)
}

/** Serves an embedded PostgreSQL until the process is told to stop. */
async function serveEmbedded([dataDir, port]: string[]): Promise<void> {
  if (!dataDir || !Number(port)) throw new Error(`missing data directory or port; ${USAGE}`)
  const { startEmbeddedPostgres } = await import('./embedded.ts')
  const embedded = await startEmbeddedPostgres({ dataDir, port: Number(port) })
  console.log(`Embedded PostgreSQL on ${embedded.url} (data in ${dataDir})`)
  await new Promise<void>((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve())
    // Started with a channel (by `pnpm start`): its closing means the starter is gone, however it ended.
    process.once('disconnect', () => resolve())
    process.channel?.unref()
  })
  await embedded.stop()
}

async function dispatch(argv: string[], cwd: string): Promise<void> {
  const [command, ...args] = argv
  const migrationsDir = join(cwd, 'prisma', 'migrations')
  switch (command) {
    case 'migrate':
      return migrate(migrationsDir)
    case 'status': {
      // One JSON line, for scripts; exits non-zero unless reachable and up to date.
      const { migrationStatus } = await migrations()
      const status = await migrationStatus({ databaseUrl: databaseUrl(), migrationsDir })
      console.log(JSON.stringify(status))
      if (!status.reachable) throw new Error('the database is not reachable')
      if (status.pending.length > 0) throw new Error(`${status.pending.length} migration(s) pending`)
      return
    }
    case 'migration': {
      const name = args[0]
      if (!name) throw new Error(`missing migration name; ${USAGE}`)
      const { createMigration } = await migrations()
      const folder = await createMigration({
        databaseUrl: databaseUrl(),
        schemaPath: join(cwd, 'prisma', 'schema.prisma'),
        migrationsDir,
        name,
      })
      console.log(folder ? `Created ${folder}` : 'The schema has no changes to migrate')
      return
    }
    case 'generate':
      return (await import('./generate.ts')).generateClient(cwd, args)
    case 'embedded':
      return serveEmbedded(args)
    case 'reset':
      await (await migrations()).resetDatabase(databaseUrl())
      return migrate(migrationsDir)
    default:
      throw new Error(USAGE)
  }
}

/** Runs one suite-db command in `cwd` (an app folder with prisma/); returns the exit code. */
export async function run(argv: string[], cwd = process.cwd()): Promise<number> {
  try {
    await dispatch(argv, cwd)
    return 0
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err)
    // Engine errors carry a multi-line trace; the first line says what went wrong.
    console.error(`suite-db: ${message.trim().split('\n')[0]}`)
    return 1
  }
}

import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { dropDatabase, ensureDatabase, withDatabaseName } from './lib/databases.ts'
import { applyMigrations } from './lib/migrate.ts'

const DEFAULT_SERVER = 'postgres://postgres@127.0.0.1:5432/postgres'

export interface TestDatabase {
  url: string
  drop(): Promise<void>
}

/**
 * Creates a fresh, uniquely named database on the server of TEST_DATABASE_URL and applies
 * `migrationsDir` to it, when given (a program that makes its own tables goes without). Names
 * carry the pid and random bytes so parallel test processes never collide.
 */
export async function createTestDatabase(options: { migrationsDir?: string; prefix?: string }): Promise<TestDatabase> {
  // PostgreSQL truncates identifiers to 63 bytes; keep the unique suffix inside that.
  const prefix = (options.prefix ?? 'test')
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .slice(0, 40)
  const name = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`
  const url = withDatabaseName(process.env.TEST_DATABASE_URL ?? DEFAULT_SERVER, name)
  // A pool's end() resolves before its connections are gone, and a forced drop would cut those
  // off mid-goodbye, failing their client with 57P01. So the drop first waits for them to leave
  // (a second in all), and only then disconnects whoever a test forgot.
  const drop = async () => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await dropDatabase(url, { force: attempt > 4 })
      } catch (error) {
        if (attempt === 6) throw new Error(`Could not drop the test database ${name}`, { cause: error })
        await sleep(100 * attempt)
      }
    }
  }
  try {
    if (options.migrationsDir) await applyMigrations({ databaseUrl: url, migrationsDir: options.migrationsDir })
    else await ensureDatabase(url)
  } catch (err) {
    // The migration error is the one worth reporting, even if dropping fails too.
    await drop().catch(() => {})
    throw err
  }
  return { url, drop }
}

export { createTcpProxy, type TcpProxy } from './lib/tcp-proxy.ts'

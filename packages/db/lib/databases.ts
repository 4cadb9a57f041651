import pg from 'pg'

const MAINTENANCE_DATABASE = 'postgres'

export function databaseName(url: string): string {
  const name = decodeURIComponent(new URL(url).pathname.slice(1))
  if (name === '') throw new Error('The database URL names no database')
  return name
}

export function withDatabaseName(url: string, name: string): string {
  const parsed = new URL(url)
  parsed.pathname = `/${encodeURIComponent(name)}`
  return parsed.toString()
}

export function maintenanceUrl(url: string): string {
  return withDatabaseName(url, MAINTENANCE_DATABASE)
}

// Databases can only be created and dropped from a connection to another database.
async function onMaintenanceDatabase<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({
    connectionString: maintenanceUrl(url),
    connectionTimeoutMillis: 5000,
  })
  await client.connect()
  try {
    return await run(client)
  } finally {
    await client.end()
  }
}

/** Creates the database named in `url` unless it exists; true when it was created. */
export async function ensureDatabase(url: string): Promise<boolean> {
  const name = databaseName(url)
  return onMaintenanceDatabase(url, async (client) => {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])
    if (found.rowCount !== 0) return false
    try {
      await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`)
      return true
    } catch (err) {
      // Another process (a parallel test, a second replica) created it first.
      if ((err as { code?: string }).code === '42P04') return false
      throw err
    }
  })
}

/**
 * Drops the database named in `url`, disconnecting whoever still uses it; with `force: false` it
 * fails instead (55006) while anyone is connected.
 */
export async function dropDatabase(url: string, { force = true } = {}): Promise<void> {
  const name = databaseName(url)
  await onMaintenanceDatabase(url, async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)}${force ? ' WITH (FORCE)' : ''}`)
  })
}

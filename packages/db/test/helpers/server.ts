import pg from 'pg'
import { withDatabaseName } from '../../lib/databases.ts'

export const SERVER_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
// Nothing listens here: connections are refused at once.
export const CLOSED_PORT_URL = 'postgres://postgres@127.0.0.1:1/otp_closed'

export function uniqueUrl(label: string): string {
  return withDatabaseName(SERVER_URL, `db_${label}_${process.pid}_${Date.now().toString(36)}`)
}

/** Runs one query on the server's maintenance database (or on `url`). */
export async function query<R extends pg.QueryResultRow>(sql: string, values: unknown[] = [], url = SERVER_URL): Promise<R[]> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query<R>(sql, values)).rows
  } finally {
    await client.end()
  }
}

export async function databaseExists(name: string): Promise<boolean> {
  return (await query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).length === 1
}

import pg from 'pg'

async function withClient<T>(databaseUrl: string, use: (client: pg.Client) => Promise<T>) {
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    return await use(client)
  } finally {
    await client.end()
  }
}

/**
 * Fills `table` fast for a scale run: `insert` is one INSERT … SELECT over generate_series($1, $2),
 * run a chunk of rows at a time; the table is vacuumed and analyzed after, as autovacuum would.
 * Returns the seconds it took.
 */
export function seedRows(databaseUrl: string, table: string, insert: string, total: number, chunk = 500_000) {
  return withClient(databaseUrl, async (client) => {
    const started = Date.now()
    for (let from = 1; from <= total; from += chunk) await client.query(insert, [from, Math.min(total, from + chunk - 1)])
    await client.query(`VACUUM ANALYZE ${client.escapeIdentifier(table)}`)
    return Math.round((Date.now() - started) / 100) / 10
  })
}

/**
 * Vacuums and analyzes every table of the database, as autovacuum would in production, then
 * writes every dirty page out (CHECKPOINT): what one target's turn wrote is not paid for in the
 * next one's, by a checkpoint or a vacuum falling in it.
 */
export const settleDatabase = (databaseUrl: string) =>
  withClient(databaseUrl, async (client) => {
    await client.query('VACUUM ANALYZE')
    await client.query('CHECKPOINT')
  })

/** How many rows `table` holds now. */
export const rowCount = (databaseUrl: string, table: string) =>
  withClient(databaseUrl, async (client) =>
    Number((await client.query(`SELECT count(*) FROM ${client.escapeIdentifier(table)}`)).rows[0].count),
  )

import { createHash } from 'node:crypto'
import { PrismaPg } from '@prisma/adapter-pg'
import pg from 'pg'

export interface PoolOptions {
  connectionString: string
  max?: number
  connectionTimeoutMillis?: number
  statementTimeoutMillis?: number
  applicationName?: string
}

export function createPool(options: PoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 10,
    // A database that is down must fail requests fast instead of queueing them.
    connectionTimeoutMillis: options.connectionTimeoutMillis ?? 3000,
    // The server cancels a statement that runs too long; should the server or the network go
    // silent instead, the client gives up a second later, so nothing waits forever.
    ...(options.statementTimeoutMillis === undefined
      ? {}
      : { statement_timeout: options.statementTimeoutMillis, query_timeout: options.statementTimeoutMillis + 1000 }),
    // Finds connections whose peer vanished (a NAT or failover dropping them) while they sat idle.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    ...(options.applicationName === undefined ? {} : { application_name: options.applicationName }),
  })
  // An idle client dying (server restart, network blip) is emitted here; without a listener
  // it would crash the process. The pool already discards the client, and the next query
  // reports the outage to its caller.
  pool.on('error', () => {})
  return pool
}

// Without a statement name, adapter-pg sends every query unnamed, so PostgreSQL parses and
// plans it again each time; a stable name lets each connection cache the prepared statement.
function statementName(query: { sql: string }): string {
  return `prisma_${createHash('sha1').update(query.sql).digest('base64url')}`
}

export function createPrismaAdapter(pool: pg.Pool): PrismaPg {
  return new PrismaPg(pool, { statementNameGenerator: statementName })
}

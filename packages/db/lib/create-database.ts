import type { PrismaPg } from '@prisma/adapter-pg'
import type pg from 'pg'
import { type PingResult, pingDatabase } from './ping.ts'
import { createPool, createPrismaAdapter } from './pool.ts'

export interface DatabaseOptions {
  url: string
  poolMax?: number
  statementTimeoutMs?: number
  /** Shown in pg_stat_activity, so a connection can be traced back to its service. */
  applicationName?: string
}

export interface Database<P> {
  pool: pg.Pool
  prisma: P
  /** The readiness check: `down` when the database does not answer within a second. */
  ping(): Promise<PingResult>
  close(): Promise<void>
}

/**
 * A service's one pool per process, shared by the Prisma client `makePrisma` builds on it and by
 * the hand-written statements of the hot paths. The client is the service's own generated one,
 * so this package needs no schema of its own.
 *
 *   const database = createDatabase({ url }, (adapter) => new PrismaClient({ adapter }))
 */
export function createDatabase<P extends { $disconnect(): Promise<void> }>(
  options: DatabaseOptions,
  makePrisma: (adapter: PrismaPg) => P,
): Database<P> {
  const pool = createPool({
    connectionString: options.url,
    max: options.poolMax,
    statementTimeoutMillis: options.statementTimeoutMs,
    applicationName: options.applicationName,
  })
  const prisma = makePrisma(createPrismaAdapter(pool))
  return {
    pool,
    prisma,
    ping: () => pingDatabase(pool),
    async close() {
      // Prisma first: it may still hand queries to the pool while it disconnects.
      await prisma.$disconnect()
      await pool.end()
    },
  }
}

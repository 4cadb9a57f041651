import { createPool, createPrismaAdapter } from '@otp-suite/db'
import { PrismaClient } from '../generated/prisma/client.ts'

/** One pool per process, shared by Prisma and the named statements of the hot paths. */
export function createDatabase(options: { url: string; poolMax: number; statementTimeoutMs?: number }) {
  const pool = createPool({
    connectionString: options.url,
    max: options.poolMax,
    statementTimeoutMillis: options.statementTimeoutMs,
    applicationName: 'otp-service',
  })
  const prisma = new PrismaClient({ adapter: createPrismaAdapter(pool) })
  return {
    pool,
    prisma,
    async close() {
      await prisma.$disconnect()
      await pool.end()
    },
  }
}

export type Database = ReturnType<typeof createDatabase>

/**
 * The database toolkit every service shares: one pg pool per service, Prisma on top of it,
 * and Prisma-layout migrations applied without Prisma's native engine.
 *
 *   const pool = createPool({ connectionString: env.DATABASE_URL })
 *   const prisma = new PrismaClient({ adapter: createPrismaAdapter(pool) })
 *   await applyMigrations({ databaseUrl: env.DATABASE_URL, migrationsDir: 'prisma/migrations' })
 */

export { type EmbeddedPostgres, startEmbeddedPostgres } from './lib/embedded.ts'
export type { ApplyMigrationsOptions, CreateMigrationOptions } from './lib/migrate.ts'
export { applyMigrations, createMigration, resetDatabase } from './lib/migrate.ts'
export type { PingResult } from './lib/ping.ts'
export { pingDatabase } from './lib/ping.ts'
export type { PoolOptions } from './lib/pool.ts'
export { createPool, createPrismaAdapter } from './lib/pool.ts'
export { isDatabaseUnavailable } from './lib/unavailable.ts'

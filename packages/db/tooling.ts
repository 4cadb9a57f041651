/**
 * Database tooling for development, deployment steps and tests, never for a service's runtime:
 * Prisma-layout migrations applied without Prisma's native engine, an embedded PostgreSQL, and
 * creating or dropping a database.
 *
 *   await applyMigrations({ databaseUrl: env.DATABASE_URL, migrationsDir: 'prisma/migrations' })
 */

export { dropDatabase, ensureDatabase, provisionDatabase } from './lib/databases.ts'
export { type EmbeddedPostgres, startEmbeddedPostgres } from './lib/embedded.ts'
export {
  type ApplyMigrationsOptions,
  applyMigrations,
  type CreateMigrationOptions,
  createMigration,
  type MigrationStatus,
  migrationStatus,
  resetDatabase,
} from './lib/migrate.ts'

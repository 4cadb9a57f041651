/**
 * What a running service needs from its database: one pg pool, Prisma on top of it, a readiness
 * ping and the test for "the database is down". Nothing here loads migration, embedded-database
 * or test code: that is `@otp-suite/db/tooling` and `@otp-suite/db/testing`.
 *
 *   const database = createDatabase(databaseOptions(config, 'otp-service'), (adapter) => new PrismaClient({ adapter }))
 */

export { type BatchOptions, BatchWaitTimeout, batched } from './lib/batched.ts'
export { batchOptions, databaseConfigProperties, databaseOptions } from './lib/config.ts'
export {
  type CounterLog,
  type CounterRecorder,
  counterSeries,
  createCounterRecorder,
  foldOldMinutes,
  type SeriesPoint,
  type SeriesSpan,
} from './lib/counters.ts'
export { createDatabase, type Database, type DatabaseOptions } from './lib/create-database.ts'
export { type PingResult, pingDatabase } from './lib/ping.ts'
export { createPool, createPrismaAdapter, type PoolOptions } from './lib/pool.ts'
export { sweep } from './lib/sweep.ts'
export { isDatabaseUnavailable } from './lib/unavailable.ts'

import { Type } from 'typebox'

/** A service's database settings, to spread into its config schema (service-kit's `defineConfig`). */
export const databaseConfigProperties = (defaultUrl: string) => ({
  /** The service's own PostgreSQL database. */
  DATABASE_URL: Type.String({ default: defaultUrl }),
  /** Connections per instance. */
  DATABASE_POOL_MAX: Type.Integer({ minimum: 1, default: 10 }),
  /** A statement running longer is cancelled, so a wedged database cannot hold requests. */
  DATABASE_STATEMENT_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 5000 }),
  /** The most requests of one kind that go to the database in one statement when they arrive together. */
  DATABASE_BATCH_MAX: Type.Integer({ minimum: 1, default: 64 }),
  /** Batches of one kind an instance has at the database at once; the next waits and grows. */
  DATABASE_BATCH_CONCURRENCY: Type.Integer({ minimum: 1, default: 1 }),
  /** A request whose batch has not left this long after it came is answered 503 and never sent. */
  DATABASE_BATCH_WAIT_MS: Type.Integer({ minimum: 10, default: 2000 }),
})

type BatchSettings = { DATABASE_BATCH_MAX: number; DATABASE_BATCH_CONCURRENCY: number; DATABASE_BATCH_WAIT_MS: number }

/** `batched`'s options from a config with `databaseConfigProperties` in it. */
export const batchOptions = (config: BatchSettings) => ({
  maxBatch: config.DATABASE_BATCH_MAX,
  concurrency: config.DATABASE_BATCH_CONCURRENCY,
  maxWaitMs: config.DATABASE_BATCH_WAIT_MS,
})

type DatabaseSettings = { DATABASE_URL: string; DATABASE_POOL_MAX: number; DATABASE_STATEMENT_TIMEOUT_MS: number }

/** `createDatabase`'s options from a config with `databaseConfigProperties` in it. */
export const databaseOptions = (config: DatabaseSettings, applicationName: string) => ({
  url: config.DATABASE_URL,
  poolMax: config.DATABASE_POOL_MAX,
  statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
  applicationName,
})

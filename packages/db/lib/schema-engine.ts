import { readFile } from 'node:fs/promises'
import { PrismaPg } from '@prisma/adapter-pg'
import {
  bindMigrationAwareSqlAdapterFactory,
  DriverAdapterError,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils'
import * as bindings from '@prisma/schema-engine-wasm/schema_engine_bg'
import pg from 'pg'

type SchemaEngine = bindings.SchemaEngine
type SetTimeout = (...args: unknown[]) => NodeJS.Timeout

// @types/node 20 does not declare the WebAssembly global.
declare const WebAssembly: {
  instantiate(
    bytes: Uint8Array,
    imports: Record<string, Record<string, unknown>>,
  ): Promise<{ instance: { exports: Record<string, unknown> } }>
}

const CHAR_OID = 18
const TEXT_OID = 25
let loaded: Promise<void> | undefined

// The package's own entry imports the .wasm as an ES module, which Node cannot do, so the
// bindings are wired to the instance by hand (as wasm-bindgen's bundler output expects).
async function instantiate(): Promise<void> {
  const glue = import.meta.resolve('@prisma/schema-engine-wasm/schema_engine_bg')
  const bytes = await readFile(new URL('schema_engine_bg.wasm', glue))
  const imports: Record<string, unknown> = { ...bindings }
  for (const [name, fn] of Object.entries(bindings)) {
    if (!name.startsWith('__wbg_setTimeout_')) continue
    // The engine's timers would otherwise keep the process alive ~10 s after the work is done.
    imports[name] = (...args: unknown[]) => (fn as SetTimeout)(...args).unref()
  }
  const { instance } = await WebAssembly.instantiate(bytes, { './schema_engine_bg.js': imports })
  bindings.__wbg_set_wasm(instance.exports)
  ;(instance.exports.__wbindgen_start as () => void)()
}

// adapter-pg 7.10 rejects columns of PostgreSQL's one-byte `"char"` type, which the
// engine's catalog queries return (pg_constraint.contype); they read fine as text.
function reportCharAsText(pool: pg.Pool): pg.Pool {
  const query = pool.query.bind(pool) as (config: pg.QueryConfig) => Promise<pg.QueryResult>
  pool.query = (async (config: pg.QueryConfig) => {
    const result = await query(config)
    for (const field of result.fields ?? []) {
      if (field.dataTypeID === CHAR_OID) field.dataTypeID = TEXT_OID
    }
    return result
  }) as typeof pool.query
  return pool
}

// Engine errors end in a Rust span trace ("   0: module::fn ... at file.rs:12"); keep the
// message and the migration it names, which is what a person needs.
function readableEngineError(err: unknown): Error {
  if (!(err instanceof Error)) return new Error(String(err))
  const [message = '', trace = ''] = err.message.split(/\n\s+0: /)
  const migration = /migration_name="([^"]+)"/.exec(trace)?.[1]
  const text = message
    .trim()
    .split(/\s*\n\s*/)
    .join(': ')
  return new Error(migration ? `${text} (migration ${migration})` : text, { cause: err })
}

export interface EngineDatabases {
  url: string
  /** An existing, empty database the engine may use to replay the migration history. */
  shadowUrl?: string
}

/** Runs `use` with a wasm schema engine connected to the given databases, then disconnects. */
export async function withSchemaEngine<T>(databases: EngineDatabases, use: (engine: SchemaEngine) => Promise<T>): Promise<T> {
  loaded ??= instantiate()
  await loaded
  const pools: pg.Pool[] = []
  const connect = async (url: string) => {
    const pool = reportCharAsText(new pg.Pool({ connectionString: url, max: 2 }))
    pools.push(pool)
    const adapter = await new PrismaPg(pool).connect()
    // adapter-pg 7.10 splits a script on every ";", which breaks function bodies and string
    // literals; send it whole, as one simple query (one implicit transaction), like migrate deploy.
    adapter.executeScript = async (script: string) => {
      await pool.query(script).catch((error: pg.DatabaseError) => {
        // The engine reads only driver-adapter errors; anything else reaches it as "External error id#0".
        throw new DriverAdapterError({
          kind: 'postgres',
          code: error.code ?? 'XX000',
          severity: error.severity ?? 'ERROR',
          message: error.message,
          detail: error.detail,
          column: error.column,
          hint: error.hint,
        })
      })
    }
    return adapter
  }
  const factory: SqlMigrationAwareDriverAdapterFactory = {
    provider: 'postgres',
    adapterName: '@prisma/adapter-pg',
    connect: () => connect(databases.url),
    connectToShadowDb: async () => {
      if (databases.shadowUrl === undefined) throw new Error('No shadow database was provided')
      return connect(databases.shadowUrl)
    },
  }
  try {
    // Engine logs are informational only: failures come back as rejected promises.
    const engine = await bindings.SchemaEngine.new({ datamodels: undefined }, () => {}, bindMigrationAwareSqlAdapterFactory(factory))
    try {
      return await use(engine)
    } finally {
      engine.free()
    }
  } catch (err) {
    throw readableEngineError(err)
  } finally {
    await Promise.all(pools.map((pool) => pool.end()))
  }
}

export const NO_FILTERS = { externalTables: [], externalEnums: [] }

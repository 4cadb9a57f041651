import { mkdir } from 'node:fs/promises'
import { PGlite } from '@electric-sql/pglite'
import { PGLiteSocketServer } from '@electric-sql/pglite-socket'

export interface EmbeddedPostgres {
  /** Connection string of the embedded server's one database. */
  url: string
  stop(): Promise<void>
}

/**
 * PostgreSQL compiled to WebAssembly (PGlite), served over the PostgreSQL protocol on loopback,
 * with its data in `dataDir`: the default database of local development when no server is
 * configured. Everything else in the suite only sees a connection string. Transactions run one
 * at a time, so it is for development, not load.
 */
export async function startEmbeddedPostgres(options: { dataDir: string; port: number }): Promise<EmbeddedPostgres> {
  await mkdir(options.dataDir, { recursive: true })
  const db = await PGlite.create({ dataDir: options.dataDir })
  const server = new PGLiteSocketServer({ db, port: options.port, host: '127.0.0.1', maxConnections: 20 })
  await server.start()
  return {
    url: `postgres://postgres@127.0.0.1:${options.port}/postgres`,
    async stop() {
      await server.stop()
      await db.close()
    },
  }
}

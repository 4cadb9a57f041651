import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { createTestDatabase } from '@otp-suite/db/testing'
import { buildTarget, startTarget } from './process.ts'

/**
 * Starts programs as production runs them (compiled, plain Node), each with `common` in its
 * environment and, when it has migrations or asks for one, a fresh database of its own; `stop`
 * ends every one, newest first, and drops their databases.
 */
export function programStarter(common: NodeJS.ProcessEnv) {
  const stops: (() => Promise<unknown>)[] = []
  return {
    /** `script` of the package in `dir`, on `port`; an app's prisma/migrations are applied to its database. */
    async start(dir: string, script: string, port: number, env: NodeJS.ProcessEnv = {}, options: { database?: boolean } = {}) {
      const migrationsDir = join(dir, 'prisma', 'migrations')
      const withMigrations = existsSync(migrationsDir)
      let databaseUrl: string | undefined
      if (withMigrations || options.database) {
        const database = await createTestDatabase({
          migrationsDir: withMigrations ? migrationsDir : undefined,
          prefix: `${dir.split('/').filter(Boolean).at(-1)}_bench`,
        })
        stops.push(database.drop)
        databaseUrl = database.url
      }
      const server = await startTarget(buildTarget(dir, script), {
        cwd: dir,
        port,
        env: { ...common, ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}), ...env },
      })
      stops.push(server.stop)
      return { url: `http://127.0.0.1:${port}`, pid: server.pid, databaseUrl }
    },
    async stop() {
      for (const stop of stops.splice(0).toReversed()) await stop()
    },
  }
}

/**
 * otp-service's settings under load: codes to an outbox (OTP_OUTBOX_FILE), its limits out of the
 * way but still evaluated on every send, the client's address told by whoever stands in front
 * (X-Forwarded-For from this host), no cleanup job.
 */
export const otpServiceUnderLoad = {
  OTP_PEPPER: randomBytes(32).toString('base64url'),
  SMS_PROVIDER: 'outbox',
  OTP_RESEND_COOLDOWN_SECONDS: '0',
  OTP_SEND_WINDOW_MAX: '1000000',
  OTP_SEND_DAILY_MAX: '1000000',
  OTP_IP_MAX: '1000000',
  OTP_VERIFY_IP_MAX: '1000000',
  TRUSTED_PROXIES: '127.0.0.1',
  OTP_CLEANUP_INTERVAL_SECONDS: '0',
}

import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createServer } from 'node:net'
import { createTestDatabase } from '@otp-suite/db/testing'
import type { Test } from 'tap'

const appsDir = new URL('../../apps/', import.meta.url).pathname

export type SuiteService = 'otp-service' | 'user-service' | 'admin-service' | 'gateway'

export type RunningService = {
  url: string
  port: number
  databaseUrl: string | undefined
  /** The process's stdout so far (JSON log lines). */
  output(): string
  /** Stops it at once, as a crash or a pulled plug would; resolves once it is gone. */
  kill(): Promise<void>
}

/** A port nothing listens on right now. */
export const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })

function listening(child: ChildProcess, name: string) {
  let output = ''
  const ready = new Promise<void>((resolve, reject) => {
    child.once('exit', (code, signal) => reject(new Error(`${name} exited (${code ?? signal}) before listening:\n${output.slice(-2000)}`)))
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      if (output.includes('Server listening')) resolve()
    })
  })
  return { ready, output: () => output }
}

/**
 * Starts the suite's service `name` as the separate process it runs as in production, from its
 * sources, on a free port (or `env.PORT`) and, when it owns a database, a fresh migrated one of its
 * own (or `env.DATABASE_URL`: a second instance on the first one's). Stopped, and a database it
 * made dropped, when the test ends.
 */
export async function startService(t: Test, name: SuiteService, env: Record<string, string>): Promise<RunningService> {
  const cwd = `${appsDir}${name}`
  const migrationsDir = `${cwd}/prisma/migrations`
  const database =
    existsSync(migrationsDir) && !env.DATABASE_URL ? await createTestDatabase({ migrationsDir, prefix: `${name}_spawned` }) : undefined
  const port = Number(env.PORT ?? (await freePort()))
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd,
    env: {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
      ...(database && { DATABASE_URL: database.url }),
      ...env,
      PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  t.teardown(async () => {
    child.kill('SIGKILL')
    await exited
    await database?.drop()
  })
  const { ready, output } = listening(child, name)
  await ready
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    databaseUrl: env.DATABASE_URL ?? database?.url,
    output,
    kill: () => {
      child.kill('SIGKILL')
      return exited
    },
  }
}

/** How many requests a running service answered on `route`, by its own /metrics. */
export async function servedCount(service: { url: string }, route: string) {
  const text = await (await fetch(`${service.url}/metrics`)).text()
  let count = 0
  for (const line of text.split('\n')) {
    if (line.startsWith('http_request_duration_seconds_count{') && line.includes(`route="${route}"`))
      count += Number(line.split(' ').at(-1))
  }
  return count
}

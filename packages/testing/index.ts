import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readSync, rmSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { createServer as createHttpServer, type RequestListener } from 'node:http'
import { type AddressInfo, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { SuiteClient } from '@otp-suite/client'
import { createPool } from '@otp-suite/db'
import { createTestDatabase } from '@otp-suite/db/testing'
import type { Test } from 'tap'

const appsDir = new URL('../../apps/', import.meta.url).pathname
const exitWithParent = new URL('./exit-with-parent.mjs', import.meta.url).href

/**
 * A service's server process from its sources in `cwd`, as `pnpm dev` runs it, with `env` as its
 * whole environment; it exits by itself when this process does, however this one ends.
 */
export const spawnServer = (cwd: string, env: NodeJS.ProcessEnv) =>
  spawn(process.execPath, ['--import', exitWithParent, '--import', 'tsx', 'src/server.ts'], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  })

/**
 * A fresh database of its own for one test file, migrated from `migrationsDir`, with a query
 * function for the test's own checks; dropped when `t` ends.
 */
export async function testDatabase(t: Test, options: { migrationsDir: string; prefix: string }) {
  const database = await createTestDatabase(options)
  // No connect deadline: a loaded machine's slow connect is no failure of the test.
  const pool = createPool({ connectionString: database.url, max: 2, connectionTimeoutMillis: 0 })
  t.teardown(async () => {
    await pool.end()
    await database.drop()
  })
  return { url: database.url, query: async <Row>(sql: string, values: unknown[] = []) => (await pool.query(sql, values)).rows as Row[] }
}

export type SuiteService = 'otp-service' | 'user-service' | 'admin-service' | 'gateway'

export type RunningService = {
  url: string
  port: number
  databaseUrl: string | undefined
  /** The process's stdout so far (JSON log lines). */
  output(): string
  /** Stops it at once, as a crash or a pulled plug would; resolves once it is gone. */
  kill(): Promise<void>
  /** Its process. */
  pid: number
  /** Resolves with its exit code once it has exited (null when a signal ended it). */
  exited: Promise<number | null>
}

/** A port nothing listens on right now. */
export const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })

/** The address a server process logs once it listens (its output so far beside it); rejects if it stops first. */
export function listening(child: ChildProcess, name: string) {
  let output = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  const ready = new Promise<string>((resolve, reject) => {
    child.once('exit', (code, signal) => reject(new Error(`${name} exited (${code ?? signal}) before listening:\n${output.slice(-2000)}`)))
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      const url = /Server listening at (http:\/\/[\d.:]+)/.exec(output)?.[1]
      if (url) resolve(url)
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
  const child = spawnServer(cwd, {
    ...process.env,
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    LOG_FORMAT: 'json',
    ...(database && { DATABASE_URL: database.url }),
    ...env,
    PORT: String(port),
  })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
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
    kill: async () => {
      child.kill('SIGKILL')
      await exited
    },
    pid: child.pid as number,
    exited,
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

const scratchDirs: string[] = []
/** A new directory under the system's temporary one, removed with what it holds when the process exits. */
export function scratchDir(prefix: string) {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  if (scratchDirs.push(dir) === 1) {
    process.once('exit', () => {
      for (const each of scratchDirs) rmSync(each, { recursive: true, force: true })
    })
  }
  return dir
}

/**
 * What otp-service needs to run in a test: the suite's JWT secret, a pepper of its own, and
 * delivery into an outbox file of its own (read with `lastCode`). `env` adds or overrides.
 */
export function otpServiceEnv(jwtSecret: string, env: Record<string, string> = {}) {
  const outbox = join(scratchDir('otp-outbox-'), 'outbox.jsonl')
  return {
    outbox,
    env: {
      JWT_SECRET: jwtSecret,
      OTP_PEPPER: randomBytes(32).toString('base64url'),
      SMS_PROVIDER: 'outbox',
      EMAIL_PROVIDER: 'outbox',
      OTP_OUTBOX_FILE: outbox,
      ...env,
    },
  }
}

/** The newest code delivered to `to` in an outbox file (one JSON line per message). */
export async function lastCode(outbox: string, to: string) {
  const lines = (await readFile(outbox, 'utf8')).trim().split('\n')
  return lines.map((line) => JSON.parse(line) as { to: string; code?: string }).findLast((line) => line.to === to)?.code
}

/**
 * Reads an outbox file as it grows, for load that verifies each code it has just had sent: each
 * call reads only what was appended since the last, and a code is handed out once.
 */
export function outboxReader(file: string) {
  const fd = openSync(file, 'r')
  const buffer = Buffer.alloc(1 << 20)
  const codes = new Map<string, string>()
  let offset = 0
  let partial = ''
  return {
    /** The newest code sent to `to` not handed out yet, if any. */
    codeFor(to: string): string | undefined {
      for (let read = 1; !codes.has(to) && read > 0; ) {
        read = readSync(fd, buffer, 0, buffer.length, offset)
        offset += read
        const lines = (partial + buffer.toString('utf8', 0, read)).split('\n')
        partial = lines.pop() ?? ''
        for (const line of lines) {
          const entry = JSON.parse(line) as { to: string; code?: string }
          if (entry.code) codes.set(entry.to, entry.code)
        }
      }
      const code = codes.get(to)
      codes.delete(to)
      return code
    },
    close: () => closeSync(fd),
  }
}

/** Polls `condition` until it holds or `timeoutMs` passes; returns whether it held. */
export async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 20) {
  for (const started = Date.now(); Date.now() - started < timeoutMs; ) {
    if (await condition()) return true
    await new Promise((resolve) => setTimeout(resolve, everyMs))
  }
  return condition()
}

/**
 * The whole sign-in of a phone as an app does it, through the suite's client: a code sent, read
 * from the outbox, verified, and traded for a session, which the client keeps.
 */
export async function signInByPhone(client: SuiteClient, outbox: string, phone: string) {
  const target = { channel: 'sms' as const, to: phone, purpose: 'login' as const }
  const sent = await client.sendCode(target)
  if (!sent.data) throw new Error(`send: ${sent.response.status} ${JSON.stringify(sent.error)}`)
  const verified = await client.verifyCode({ ...target, code: (await lastCode(outbox, phone)) as string })
  if (!verified.data) throw new Error(`verify: ${verified.response.status} ${JSON.stringify(verified.error)}`)
  const login = await client.login(verified.data.proof)
  if (!login.data) throw new Error(`login: ${login.response.status} ${JSON.stringify(login.error)}`)
  return login.data
}

/**
 * An HTTP server on a free port standing in for something the test does not run (an instance, a
 * provider), answering with `handle`; closed with its connections when the test ends. Its URL.
 */
export async function standIn(t: Test, handle: RequestListener) {
  const server = createHttpServer(handle)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => {
    server.closeAllConnections()
    server.close()
  })
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

/**
 * A process's parent and process group, and the clock ticks of CPU it has used (user and system)
 * and its exited children have (once reaped), from /proc.
 */
export function processStat(pid: number) {
  // After the command's name in parentheses: state, parent pid, process group… (proc(5)).
  const fields = (readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1] ?? '').split(' ').map(Number)
  const at = (field: number) => fields[field] as number
  return { parent: at(1), group: at(2), cpuTicks: at(11) + at(12), reapedCpuTicks: at(13) + at(14) }
}

/** The processes `pid` started that still run, from /proc. */
export const childrenOf = (pid: number) => readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number)

// The suite as one set of processes: each service's database resolved (given, the local
// PostgreSQL, or an embedded one), migrated, and every service and the gateway started, several
// instances each if asked, with readiness awaited. `pnpm start`, the database scripts and the
// end-to-end test all go through here.
import { spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { join } from 'node:path'
import { createInterface } from 'node:readline'

export const root = new URL('../../', import.meta.url).pathname
const suiteDb = join(root, 'packages/db/bin/suite-db.js')
const exitWithParent = import.meta.resolve('@otp-suite/testing/exit-with-parent')

/** The services in start order; instance k (from 0) of a service listens on port + 10k. */
export const SERVICES = [
  { name: 'otp-service', database: 'otp_service', databaseEnv: 'OTP_DATABASE_URL', port: 3001, embeddedPort: 5433 },
  { name: 'user-service', database: 'user_service', databaseEnv: 'USER_DATABASE_URL', port: 3002, embeddedPort: 5434 },
  { name: 'admin-service', database: 'admin_service', databaseEnv: 'ADMIN_DATABASE_URL', port: 3003, embeddedPort: 5435 },
  { name: 'gateway', port: 8080 },
]
export const SERVICE_NAMES = SERVICES.map((service) => service.name)

const answers = (port) =>
  new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket.end() && true)).on('error', () => resolve(false))
  })

/** Resolves once `child` is gone, killing it outright if it has not stopped 10 s after being asked. */
function exited(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve()
    })
  })
}

/** Development secrets, made once into `dataDir`/dev.env and kept (never used in production). */
export function devSecrets(dataDir) {
  const file = join(dataDir, 'dev.env')
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true })
    const secret = () => randomBytes(32).toString('base64url')
    writeFileSync(file, `JWT_SECRET=${secret()}\nOTP_PEPPER=${secret()}\n`, { mode: 0o600 })
  }
  return Object.fromEntries(
    readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((line) => line.split(/=(.*)/s).slice(0, 2)),
  )
}

/**
 * Runs `command` with every line of its output prefixed by `label`, in a process group of its own:
 * a terminal's Ctrl-C then reaches this command only, which stops each child once (a signal from
 * the terminal and then another from here would cut a service's close short). Each child has an
 * IPC channel to this process, which closes however this one ends: the child then ends too (a
 * service at once, an embedded database after a clean stop), so none outlives it. Resolves the child.
 */
function run(label, command, args, { cwd, env, log }) {
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'], detached: true })
  child.channel?.unref()
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => log(`[${label}] ${line}`))
  }
  return child
}

/**
 * Each service's database URL: `<SERVICE>_DATABASE_URL` when set, else a database named after the
 * service (prefixed by `databasePrefix`) on DATABASE_SERVER_URL or on the PostgreSQL at
 * 127.0.0.1:5432, else (nothing answers, or DATABASE_SERVER_URL=embedded) an embedded PostgreSQL
 * per service under `dataDir`/pglite, started here and stopped with `stop()`.
 */
export async function resolveDatabases({ names, env = process.env, dataDir, databasePrefix = '', log = console.log }) {
  const children = []
  let embedded = false
  const configured = env.DATABASE_SERVER_URL
  const localServer = 'postgres://postgres@127.0.0.1:5432/postgres'
  const serverUrl = configured === 'embedded' ? null : (configured ?? ((await answers(5432)) ? localServer : null))
  const urls = {}
  const stop = async () => {
    for (const child of children) child.kill('SIGTERM')
    await Promise.all(children.map(exited))
  }
  try {
    for (const service of SERVICES.filter((candidate) => candidate.database && names.includes(candidate.name))) {
      if (env[service.databaseEnv]) {
        urls[service.name] = env[service.databaseEnv]
      } else if (serverUrl) {
        const url = new URL(serverUrl)
        url.pathname = `/${databasePrefix}${service.database}`
        urls[service.name] = url.toString()
      } else {
        embedded = true
        const url = `postgres://postgres@127.0.0.1:${service.embeddedPort}/postgres`
        // Already served (by a `pnpm start` running, for `pnpm db:check` say): used as it is.
        if (await answers(service.embeddedPort)) {
          urls[service.name] = url
          continue
        }
        const label = `${service.name} db`
        const child = run(
          label,
          process.execPath,
          [suiteDb, 'embedded', join(dataDir, 'pglite', service.database), String(service.embeddedPort)],
          {
            cwd: root,
            env,
            log,
          },
        )
        children.push(child)
        let up = false
        for (let i = 0; i < 600 && !up && child.exitCode === null; i++) {
          await new Promise((resolve) => setTimeout(resolve, 100))
          up = await answers(service.embeddedPort)
        }
        if (!up) throw new Error(`the embedded database of ${service.name} did not start on port ${service.embeddedPort}`)
        urls[service.name] = url
      }
    }
  } catch (error) {
    await stop()
    throw error
  }
  return { urls, embedded, stop }
}

/** Runs a suite-db command in each app folder for its database; returns each one's result. */
export function forEachDatabase(command, urls, { env = process.env, quiet = false } = {}) {
  return Object.entries(urls).map(([name, url]) => {
    const result = spawnSync(process.execPath, [suiteDb, ...command], {
      cwd: join(root, 'apps', name),
      env: { ...env, DATABASE_URL: url },
      stdio: quiet ? 'pipe' : 'inherit',
      encoding: 'utf8',
    })
    return { name, url, ok: result.status === 0, output: `${result.stdout ?? ''}${result.stderr ?? ''}` }
  })
}

async function ready(url, child, signal) {
  for (let i = 0; i < 600 && child.exitCode === null && child.signalCode === null && !signal?.aborted; i++) {
    try {
      if ((await fetch(`${url}/health/ready`)).status === 200) return
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`${url} did not become ready`)
}

/**
 * Starts `names` (default: all) with `instances` of each service behind the gateway, and resolves
 * once every one is ready. `fromSources` runs src/server.ts under tsx instead of the built
 * dist/server.js. `portOffset` moves every port. Aborting `signal` while it starts stops what it
 * started. Returns the URLs (gateway first), the processes, and `stop()`.
 */
export async function startSuite({
  names = SERVICE_NAMES,
  instances = 1,
  env = process.env,
  dataDir = join(root, '.data'),
  databasePrefix = '',
  portOffset = 0,
  fromSources = false,
  log = console.log,
  onExit = () => {},
  signal = undefined,
}) {
  const secrets = devSecrets(dataDir)
  const outbox = join(dataDir, 'outbox.jsonl')
  const databases = await resolveDatabases({ names, env, dataDir, databasePrefix, log })
  const processes = []
  const stop = async () => {
    for (const entry of processes.toReversed()) entry.child.kill('SIGTERM')
    await Promise.all(processes.map(({ child }) => exited(child)))
    await databases.stop()
  }
  try {
    const migrationFailures = forEachDatabase(['migrate'], databases.urls, { env, quiet: true }).filter((result) => !result.ok)
    if (migrationFailures.length > 0)
      throw new Error(`migrations failed: ${migrationFailures.map((failure) => `${failure.name}: ${failure.output}`).join('\n')}`)

    const portOf = (name, instance) => (SERVICES.find((service) => service.name === name)?.port ?? 0) + portOffset + 10 * instance
    const urlsOf = (name) => Array.from({ length: instances }, (_, k) => `http://127.0.0.1:${portOf(name, k)}`)
    const shared = {
      ...secrets,
      NODE_ENV: 'development',
      SMS_PROVIDER: 'outbox',
      EMAIL_PROVIDER: 'outbox',
      OTP_OUTBOX_FILE: outbox,
      // The gateway runs on this machine: the services believe its X-Forwarded-For.
      TRUSTED_PROXIES: '127.0.0.1',
      // A local suite's clients (a simulator, tests, curl) mostly share this machine's address, for
      // which the per-address limits would be the whole suite's: raised, unless set.
      OTP_IP_MAX: '1000',
      OTP_VERIFY_IP_MAX: '1000',
      // Every app that calls another reads its instances under these names, the gateway too.
      OTP_SERVICE_URL: urlsOf('otp-service').join(','),
      USER_SERVICE_URL: urlsOf('user-service').join(','),
      ADMIN_SERVICE_URL: urlsOf('admin-service').join(','),
      LOG_FORMAT: env.LOG_FORMAT ?? (process.stdout.isTTY ? 'pretty' : 'json'),
      ...env,
      EMAIL_VERIFY_URL: env.EMAIL_VERIFY_URL ?? `http://127.0.0.1:${portOf('gateway', 0)}/verify-email#token=`,
    }
    const entrypoint = [
      ...['--import', exitWithParent],
      ...(fromSources ? ['--import', 'tsx', 'src/server.ts'] : ['--enable-source-maps', 'dist/server.js']),
    ]
    // A port something else holds would make that process look ready: refuse before starting any.
    const busy = new Set()
    for (const name of names) {
      for (let k = 0; k < (name === 'gateway' ? 1 : instances); k++) if (await answers(portOf(name, k))) busy.add(portOf(name, k))
    }
    const launch = (name) => {
      const count = name === 'gateway' ? 1 : instances
      return Array.from({ length: count }, (_, k) => {
        const label = count > 1 ? `${name}#${k + 1}` : name
        const port = portOf(name, k)
        if (busy.has(port)) throw new Error(`port ${port} (${label}) is already in use: is the suite running already?`)
        const child = run(label, process.execPath, entrypoint, {
          cwd: join(root, 'apps', name),
          env: { ...shared, PORT: String(port), ...(databases.urls[name] && { DATABASE_URL: databases.urls[name] }) },
          log,
        })
        const entry = { name, label, port, url: `http://127.0.0.1:${port}`, child }
        processes.push(entry)
        child.once('exit', (code, signal) => onExit(entry, code ?? signal))
        return ready(entry.url, child, signal)
      })
    }
    // The services first, then the gateway in front of them, ready.
    await Promise.all(names.filter((name) => name !== 'gateway').flatMap(launch))
    if (names.includes('gateway') && !signal?.aborted) await Promise.all(launch('gateway'))
    signal?.throwIfAborted()
  } catch (error) {
    await stop()
    throw error
  }
  const gateway = processes.find((entry) => entry.name === 'gateway')
  return { gatewayUrl: gateway?.url, processes, outbox, embedded: databases.embedded, databaseUrls: databases.urls, stop }
}

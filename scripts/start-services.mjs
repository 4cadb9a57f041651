// Local development: migrates each service's database and runs the built services, with
// development secrets made once and kept in .data/dev.env (never used in production).
// The databases live on DATABASE_SERVER_URL, else on the PostgreSQL at 127.0.0.1:5432, else
// (nothing answers there, or DATABASE_SERVER_URL=embedded) in an embedded PostgreSQL per service
// under .data/pglite/.
// Usage: node scripts/start-services.mjs [service ...]   (default: all)
import { spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'

const services = [
  { name: 'otp-service', database: 'otp_service', port: 3001, embeddedPort: 5433 },
  { name: 'user-service', database: 'user_service', port: 3002, embeddedPort: 5434 },
  { name: 'admin-service', database: 'admin_service', port: 3003, embeddedPort: 5435 },
]

if (process.env.NODE_ENV === 'production') {
  console.error('start-services is for local development; run each service with its own configuration in production')
  process.exit(1)
}

const secretsFile = '.data/dev.env'
if (!existsSync(secretsFile)) {
  mkdirSync('.data', { recursive: true })
  const secret = () => randomBytes(32).toString('base64url')
  writeFileSync(secretsFile, `JWT_SECRET=${secret()}\nOTP_PEPPER=${secret()}\n`, { mode: 0o600 })
}
const devSecrets = Object.fromEntries(
  readFileSync(secretsFile, 'utf8')
    .trim()
    .split('\n')
    .map((line) => line.split(/=(.*)/s).slice(0, 2)),
)

const answers = (port) =>
  new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket.end() && true)).on('error', () => resolve(false))
  })

async function waitFor(port, child) {
  for (let i = 0; i < 300 && child.exitCode === null; i++) {
    if (await answers(port)) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`nothing answers on port ${port}`)
}

const children = []
const stopAll = (signal) => {
  for (const child of children.toReversed()) child.kill(signal)
}
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => stopAll(signal))

// DATABASE_SERVER_URL=embedded asks for the embedded databases even when a server is running.
const configured = process.env.DATABASE_SERVER_URL
const localServer = 'postgres://postgres@127.0.0.1:5432/postgres'
const serverUrl = configured === 'embedded' ? null : (configured ?? ((await answers(5432)) ? localServer : null))
if (!serverUrl) console.log('Using embedded PostgreSQL databases in .data/pglite')

async function databaseFor(service) {
  if (serverUrl) {
    const url = new URL(serverUrl)
    url.pathname = `/${service.database}`
    return url.toString()
  }
  const embedded = spawn(
    process.execPath,
    ['packages/db/bin/suite-db.js', 'embedded', `.data/pglite/${service.database}`, String(service.embeddedPort)],
    {
      stdio: 'inherit',
    },
  )
  children.push(embedded)
  await waitFor(service.embeddedPort, embedded)
  return `postgres://postgres@127.0.0.1:${service.embeddedPort}/postgres`
}

const wanted = process.argv.slice(2)
for (const service of services.filter((candidate) => wanted.length === 0 || wanted.includes(candidate.name))) {
  const env = { ...devSecrets, PORT: String(service.port), ...process.env, DATABASE_URL: await databaseFor(service) }
  const cwd = `apps/${service.name}`
  const migrated = spawnSync('pnpm', ['run', '--silent', 'db:migrate'], { cwd, env, stdio: 'inherit' })
  if (migrated.status !== 0) {
    stopAll('SIGTERM')
    process.exit(migrated.status ?? 1)
  }
  console.log(`${service.name}: http://127.0.0.1:${service.port} (docs at /docs)`)
  const child = spawn('pnpm', ['run', '--silent', 'start'], { cwd, env, stdio: 'inherit' })
  child.on('exit', (code) => {
    if (code) process.exitCode = code
  })
  children.push(child)
}

// Local development: migrates each service's database and runs the built services, with
// development secrets made once and kept in .data/dev.env (never used in production).
// Usage: node scripts/start-services.mjs [service ...]   (default: all)
import { spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'

const services = [{ name: 'otp-service', database: 'otp_service', port: 3001 }]

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

const server = new URL(process.env.DATABASE_SERVER_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres')
const wanted = process.argv.slice(2)
const selected = services.filter((service) => wanted.length === 0 || wanted.includes(service.name))

const children = selected.map((service) => {
  const databaseUrl = new URL(server)
  databaseUrl.pathname = `/${service.database}`
  const env = { ...devSecrets, PORT: String(service.port), ...process.env, DATABASE_URL: databaseUrl.toString() }
  const cwd = `apps/${service.name}`
  const migrated = spawnSync('pnpm', ['run', '--silent', 'db:migrate'], { cwd, env, stdio: 'inherit' })
  if (migrated.status !== 0) process.exit(migrated.status ?? 1)
  console.log(`${service.name}: http://127.0.0.1:${service.port} (docs at /docs)`)
  return spawn('pnpm', ['run', '--silent', 'start'], { cwd, env, stdio: 'inherit' })
})

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    for (const child of children) child.kill(signal)
  })
}
for (const child of children) {
  child.on('exit', (code) => {
    if (code) process.exitCode = code
  })
}

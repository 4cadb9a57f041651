import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { dropDatabase } from '@otp-suite/db/tooling'
import Ajv from 'ajv'
import addFormats from 'ajv-formats'
import pg from 'pg'
import t from 'tap'
import { parse } from 'yaml'

// No container engine runs here: docker-compose.yml is validated against the compose
// specification's schema (the one dclint ships) and checked for what an operator relies on.
const root = join(import.meta.dirname, '..', '..')
const compose = parse(await readFile(join(root, 'docker-compose.yml'), 'utf8'), { merge: true })
type Service = {
  image?: string
  build?: { target?: string; args?: Record<string, string> }
  environment?: Record<string, string>
  ports?: string[]
  depends_on?: Record<string, { condition: string }>
  volumes?: string[]
}
const services = compose.services as Record<string, Service>
const DATABASES = { 'otp-service': 'otp', 'user-service': 'user', 'admin-service': 'admin' }

t.test('it is a valid compose file', async (t) => {
  const { $schema, ...schema } = JSON.parse(await readFile(join(root, 'scripts/node_modules/dclint/schemas/compose.schema.json'), 'utf8'))
  t.match($schema, /draft-07/, 'a draft-07 schema, which is what ajv checks by default')
  const ajv = new Ajv.default({ strict: false, allErrors: true })
  addFormats.default(ajv)
  const valid = ajv.validate(schema, compose)
  t.ok(valid, ajv.errorsText(ajv.errors))
})

t.test('each service has its own database, migrated by a one-shot step before it starts', async (t) => {
  for (const [app, short] of Object.entries(DATABASES)) {
    const name = app.replace('-', '_')
    const url = `postgres://${name}:\${${short.toUpperCase()}_DB_PASSWORD}@postgres:5432/${name}`
    t.equal(services[app]?.environment?.DATABASE_URL, url, `${app} has its own database and role`)
    const migrate = services[`${short}-migrate`]
    t.equal(migrate?.environment?.DATABASE_URL, url, `${short}-migrate migrates that database`)
    t.same(migrate?.build, { context: '.', target: 'migrate', args: { APP: app } })
    t.same(migrate?.depends_on, { postgres: { condition: 'service_healthy' } })
    t.match(services[app]?.depends_on, { [`${short}-migrate`]: { condition: 'service_completed_successfully' } })
    t.same(services[app]?.build, { context: '.', target: 'app', args: { APP: app } })
  }
  t.same(services.gateway?.depends_on, {
    'otp-service': { condition: 'service_healthy' },
    'user-service': { condition: 'service_healthy' },
    'admin-service': { condition: 'service_started' },
  })
  t.match(
    services.postgres,
    { healthcheck: { test: ['CMD-SHELL', /pg_isready -h 127\.0\.0\.1/] } },
    'ready over TCP, after the init script',
  )
})

t.test('only the gateway is published; secrets come from .env, never written here', async (t) => {
  t.same(
    Object.entries(services)
      .filter(([, service]) => service.ports)
      .map(([name]) => name),
    ['gateway'],
  )
  t.match(services.gateway?.ports, [/^\$\{GATEWAY_BIND:-127\.0\.0\.1\}:/], 'on this host only, unless told otherwise')
  const gatewayAddress = (services.gateway as { networks: { suite: { ipv4_address: string } } }).networks.suite.ipv4_address
  for (const app of Object.keys(DATABASES)) {
    t.equal(services[app]?.environment?.TRUSTED_PROXIES, gatewayAddress, `${app} believes the gateway's X-Forwarded-For, no one else's`)
  }
  const secret = /SECRET|PEPPER|PASSWORD|AUTH_KEY/
  for (const [name, service] of Object.entries(services)) {
    for (const [key, value] of Object.entries(service.environment ?? {})) {
      if (secret.test(key)) t.match(value, /^\$\{[A-Z0-9_]+(:[?-][^}]*)?\}$/, `${name}: ${key} comes from the environment`)
    }
  }
  const required = [...new Set([...JSON.stringify(compose).matchAll(/\$\{([A-Z0-9_]+):\?/g)].map((match) => match[1] as string))]
  t.same(required.sort(), [
    'ADMIN_DB_PASSWORD',
    'EMAIL_VERIFY_URL',
    'JWT_SECRET',
    'MAIL_FROM',
    'OTP_DB_PASSWORD',
    'OTP_PEPPER',
    'POSTGRES_PASSWORD',
    'USER_DB_PASSWORD',
  ])
  const example = await readFile(join(root, '.env.example'), 'utf8')
  for (const name of required) t.match(example, new RegExp(`^${name}=$`, 'm'), `.env.example lists ${name}, empty`)
  t.match(await readFile(join(root, '.gitignore'), 'utf8'), /^\.env$/m, '.env is never committed')
})

t.test('the init script makes one role and one database per service, whatever the password holds', async (t) => {
  const script = await readFile(join(root, 'deploy/postgres/init-databases.sh'), 'utf8')
  const created = [...script.matchAll(/^create (\w+) "\$(\w+)"$/gm)].map((match) => [match[1], match[2]])
  t.same(created, [
    ['otp_service', 'OTP_DB_PASSWORD'],
    ['user_service', 'USER_DB_PASSWORD'],
    ['admin_service', 'ADMIN_DB_PASSWORD'],
  ])
  t.same(
    Object.keys(services.postgres?.environment ?? {}).filter((key) => key.endsWith('_DB_PASSWORD')),
    created.map(([, variable]) => variable),
  )

  // Its SQL, run as the postgres image runs it, on names of this test's own.
  const sql = /<<'SQL'\n([\s\S]*?)\nSQL/.exec(script)?.[1] as string
  const name = `compose_init_${process.pid}`
  const password = `it's "quoted"; DROP ROLE postgres; --`
  t.teardown(async () => {
    await dropDatabase(`postgres://postgres@127.0.0.1:5432/${name}`)
    const admin = new pg.Client('postgres://postgres@127.0.0.1:5432/postgres')
    await admin.connect()
    await admin.query(`DROP ROLE IF EXISTS ${name}`)
    await admin.end()
  })
  await promisify(execFile)('sh', [
    '-c',
    `psql --set ON_ERROR_STOP=1 -h 127.0.0.1 -U postgres --dbname postgres --set name="$1" --set password="$2" <<'SQL'\n${sql}\nSQL`,
    'sh',
    name,
    password,
  ])
  const owner = new pg.Client(`postgres://${name}:${encodeURIComponent(password)}@127.0.0.1:5432/${name}`)
  await owner.connect()
  const { rows } = await owner.query(
    'SELECT current_user AS role, pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = current_database()',
  )
  await owner.end()
  t.same(rows, [{ role: name, owner: name }], 'the role exists and owns its database (this server trusts local sign-ins)')
})

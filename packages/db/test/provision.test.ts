import { execFile } from 'node:child_process'
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t, { type Test } from 'tap'
import { databaseName, scramVerifier, withDatabaseName } from '../lib/databases.ts'
import { applyMigrations, dropDatabase, provisionDatabase } from '../tooling.ts'
import { query, SERVER_URL, uniqueUrl } from './helpers/server.ts'

const fixture = join(import.meta.dirname, 'fixture')
const bin = join(import.meta.dirname, '..', 'bin', 'suite-db.js')
const withUser = (url: string, user: string, password = '') => Object.assign(new URL(url), { username: user, password }).toString()

/**
 * The roles of a test, dropped at its end after its databases: an admin that may make roles and
 * databases but is no superuser (as a managed server's master role), the service's, a stranger.
 */
async function rolesOf(t: Test) {
  const tag = `${process.pid}_${Date.now().toString(36)}`
  // Names in mixed case, which only quoting keeps as they are.
  const [admin, service, stranger] = ['Admin', 'Service', 'Stranger'].map((role) => `Provision_${role}_${tag}`) as [string, string, string]
  const databases: string[] = []
  t.teardown(async () => {
    try {
      for (const url of databases) await dropDatabase(withDatabaseName(SERVER_URL, databaseName(url)))
    } finally {
      for (const role of [service, stranger, admin]) await query(`DROP ROLE IF EXISTS "${role}"`)
    }
  })
  await query(`CREATE ROLE "${admin}" LOGIN CREATEROLE CREATEDB`)
  await query(`CREATE ROLE "${stranger}" LOGIN`)
  return {
    admin,
    service,
    stranger,
    adminUrl: withUser(SERVER_URL, admin),
    /** The service's URL of a new database (dropped at the end). */
    serviceUrl(label: string) {
      const url = withUser(uniqueUrl(label), service, 's3cret/+')
      databases.push(url)
      return url
    },
  }
}

/** What owns the database, whether `stranger` may connect to it, whether `role` may log in. */
async function access(url: string, stranger: string, role: string) {
  const [row] = await query<{ owner: string; strangerConnects: boolean; login: boolean }>(
    `SELECT pg_get_userbyid(d.datdba) AS owner, has_database_privilege($2, d.datname, 'CONNECT') AS "strangerConnects",
            (SELECT rolcanlogin FROM pg_roles WHERE rolname = $3) AS login
     FROM pg_database d WHERE d.datname = $1`,
    [databaseName(url), stranger, role],
  )
  return row
}

/** Who owns what in the schema public of `url`'s database: how many objects, by owner. */
async function owners(url: string) {
  const rows = await query<{ owner: string; count: number }>(
    `SELECT owner, count(*)::int AS count FROM (
       SELECT pg_get_userbyid(relowner) AS owner FROM pg_class WHERE relnamespace = 'public'::regnamespace
       UNION ALL SELECT pg_get_userbyid(proowner) FROM pg_proc WHERE pronamespace = 'public'::regnamespace
       UNION ALL SELECT pg_get_userbyid(typowner) FROM pg_type WHERE typnamespace = 'public'::regnamespace) AS objects
     GROUP BY owner`,
    [],
    withDatabaseName(SERVER_URL, databaseName(url)),
  )
  return Object.fromEntries(rows.map(({ owner, count }) => [owner, count]))
}

/** The fixture's migrations and `more`, each a migration of its own, in a folder of the test's. */
async function migrationsWith(t: Test, more: Record<string, string>) {
  const dir = await mkdtemp(join(tmpdir(), 'suite-db-provision-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  await cp(join(fixture, 'prisma', 'migrations'), dir, { recursive: true })
  for (const [name, sql] of Object.entries(more)) {
    await mkdir(join(dir, name))
    await writeFile(join(dir, name, 'migration.sql'), sql)
  }
  return dir
}

// What migrations make besides tables: a function, a composite type, an enum, a view, a sequence.
const KINDS = `
CREATE TYPE issue_result AS (outcome text, retry_after integer);
CREATE TYPE account_kind AS ENUM ('live', 'demo');
CREATE FUNCTION account_count() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM accounts';
CREATE VIEW recent_accounts AS SELECT id, email FROM accounts;
CREATE SEQUENCE ticket_numbers;`
// Changes only the owner of each may make.
const CHANGES = `
ALTER TABLE accounts ADD COLUMN kind account_kind;
ALTER TYPE issue_result ADD ATTRIBUTE issued_at timestamptz;
ALTER TYPE account_kind ADD VALUE 'test';
CREATE OR REPLACE FUNCTION account_count() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM accounts WHERE id > 0';
CREATE OR REPLACE VIEW recent_accounts AS SELECT id, email, created_at FROM accounts;
ALTER SEQUENCE ticket_numbers RESTART WITH 100;`

t.test('a database migrated as the admin role is handed to a role of its own, which migrates it further', async (t) => {
  const roles = await rolesOf(t)
  const url = roles.serviceUrl('handover')
  const asAdmin = withUser(url, roles.admin)
  const migrations = await migrationsWith(t, { '20261201000000_kinds': KINDS })
  await applyMigrations({ databaseUrl: asAdmin, migrationsDir: migrations })
  const made = await owners(url)
  t.same(Object.keys(made), [roles.admin], 'as a deployment whose migrations ran as the master role')

  await provisionDatabase(roles.adminUrl, url)
  t.same(await access(url, roles.stranger, roles.service), { owner: roles.service, strangerConnects: false, login: true })
  t.same(await owners(url), { [roles.service]: made[roles.admin] }, 'everything it owned there now belongs to the database’s role')
  t.same(await query('SELECT count(*)::int AS n FROM accounts', [], asAdmin), [{ n: 0 }], 'services still on the admin role go on working')

  const further = await migrationsWith(t, { '20261201000000_kinds': KINDS, '20261202000000_changes': CHANGES })
  t.same(await applyMigrations({ databaseUrl: url, migrationsDir: further }), { applied: ['20261202000000_changes'] })
  await query("INSERT INTO accounts (email, kind) VALUES ('a@example.com', 'test')", [], url)
  t.same(await query('SELECT account_count()::int AS n, nextval($1)::int AS ticket', ['ticket_numbers'], url), [{ n: 1, ticket: 100 }])

  const migrated = await owners(url)
  await provisionDatabase(roles.adminUrl, url)
  t.same(await owners(url), migrated, 'run again, it changes nothing more')
})

t.test('suite-db migrate with DATABASE_ADMIN_URL makes the role and the database, then migrates as the role', async (t) => {
  const roles = await rolesOf(t)
  const url = roles.serviceUrl('cli')
  const run = (env: Record<string, string>) =>
    promisify(execFile)(process.execPath, [bin, 'migrate'], { cwd: fixture, env: { ...process.env, ...env } })
  const { stdout } = await run({ DATABASE_URL: url, DATABASE_ADMIN_URL: roles.adminUrl })
  t.match(stdout, /Applied migrations: \d{14}_init_schema/)
  t.same(await access(url, roles.stranger, roles.service), { owner: roles.service, strangerConnects: false, login: true })
  t.same(Object.keys(await owners(url)), [roles.service], 'every table, index and sequence of the migrations is the role’s')

  const refused = await run({ DATABASE_URL: withUser(url, roles.admin), DATABASE_ADMIN_URL: roles.adminUrl }).catch((error) => error)
  t.match(refused.stderr, /must name a role of the database's own/, 'the admin role is not a database’s own')
})

/** The role's password as the server keeps it, and the salt and iterations it was made with. */
async function storedPassword(role: string) {
  const [row] = await query<{ stored: string }>('SELECT rolpassword AS stored FROM pg_authid WHERE rolname = $1', [role])
  const [, iterations, salt] = /^SCRAM-SHA-256\$(\d+):([^$]+)\$/.exec(row?.stored ?? '') ?? []
  return { stored: row?.stored, salt: Buffer.from(salt ?? '', 'base64'), iterations: Number(iterations) }
}

t.test('the password goes to the server as its SCRAM-SHA-256 verifier, the one the server makes of it', async (t) => {
  const roles = await rolesOf(t)
  for (const password of ['s3cret/+', 'ﬁnal Ångström']) {
    await query(`SET password_encryption = 'scram-sha-256'; ALTER ROLE "${roles.stranger}" PASSWORD '${password}'`)
    const { stored, salt, iterations } = await storedPassword(roles.stranger)
    t.equal(scramVerifier(password, salt, iterations), stored, password)
  }
  const url = roles.serviceUrl('scram')
  await provisionDatabase(roles.adminUrl, url)
  const { stored, salt, iterations } = await storedPassword(roles.service)
  t.equal(scramVerifier('s3cret/+', salt, iterations), stored, "the role's password is the URL's")
})

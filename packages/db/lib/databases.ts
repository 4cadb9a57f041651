import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto'
import pg from 'pg'

const MAINTENANCE_DATABASE = 'postgres'

export function databaseName(url: string): string {
  const name = decodeURIComponent(new URL(url).pathname.slice(1))
  if (name === '') throw new Error('The database URL names no database')
  return name
}

export function withDatabaseName(url: string, name: string): string {
  const parsed = new URL(url)
  parsed.pathname = `/${encodeURIComponent(name)}`
  return parsed.toString()
}

export function maintenanceUrl(url: string): string {
  return withDatabaseName(url, MAINTENANCE_DATABASE)
}

async function onDatabase<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 })
  await client.connect()
  try {
    return await run(client)
  } finally {
    await client.end()
  }
}

// Databases can only be created and dropped from a connection to another database.
const onMaintenanceDatabase = <T>(url: string, run: (client: pg.Client) => Promise<T>) => onDatabase(maintenanceUrl(url), run)

/** Creates the database named in `url` unless it exists; true when it was created. */
export async function ensureDatabase(url: string): Promise<boolean> {
  const name = databaseName(url)
  return onMaintenanceDatabase(url, async (client) => {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])
    if (found.rowCount !== 0) return false
    try {
      await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`)
      return true
    } catch (err) {
      // Another process (a parallel test, a second replica) created it first.
      if ((err as { code?: string }).code === '42P04') return false
      throw err
    }
  })
}

/**
 * What the connected role owns in the schema `public` of its database (tables, views, sequences of
 * their own, functions, enums, domains, range and composite types: what this suite's migrations
 * make; not extensions, collations or text-search configurations), each as the statement that
 * gives it to the role `$1`. A table's indexes, column sequences and row type go with the table.
 */
const HAND_OVER = `
  WITH me AS (SELECT oid FROM pg_roles WHERE rolname = current_user)
  SELECT format('ALTER %s %s OWNER TO %I',
           CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END,
           c.oid::regclass, $1::text) AS statement
  FROM pg_class c
  WHERE c.relnamespace = 'public'::regnamespace AND c.relowner = (SELECT oid FROM me)
    AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
    AND (c.relkind <> 'S' OR NOT EXISTS (
      SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i')))
  UNION ALL
  SELECT format('ALTER ROUTINE %s OWNER TO %I', p.oid::regprocedure, $1::text)
  FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace AND p.proowner = (SELECT oid FROM me)
  UNION ALL
  SELECT format('ALTER TYPE %s OWNER TO %I', t.oid::regtype, $1::text)
  FROM pg_type t LEFT JOIN pg_class c ON c.oid = t.typrelid
  WHERE t.typnamespace = 'public'::regnamespace AND t.typowner = (SELECT oid FROM me)
    AND (t.typtype IN ('e', 'd', 'r') OR c.relkind = 'c')`

/**
 * A password as PostgreSQL stores it for SCRAM-SHA-256 (RFC 5802, 7677), so that the password
 * itself is in no statement the server may log or keep in its statistics.
 */
export function scramVerifier(password: string, salt = randomBytes(16), iterations = 4096): string {
  const salted = pbkdf2Sync(password.normalize('NFKC'), salt, iterations, 32, 'sha256')
  const hmac = (key: Buffer, text: string) => createHmac('sha256', key).update(text).digest()
  const storedKey = createHash('sha256').update(hmac(salted, 'Client Key')).digest()
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${hmac(salted, 'Server Key').toString('base64')}`
}

/**
 * Gives the database named in `url` a role of its own, working as `adminUrl`'s role (one that may
 * create roles and databases: a managed server's master role, say): the user `url` names, made, or
 * given `url`'s password again (so a new one takes effect); the database, made when missing, owned
 * by that role and closed to everyone else; and what the admin role made in it (as migrations run
 * before the database had a role of its own did) handed to it. Run again, it changes nothing more;
 * two runs for one database take turns.
 */
export async function provisionDatabase(adminUrl: string, url: string): Promise<void> {
  const { username, password } = new URL(url)
  const role = decodeURIComponent(username)
  if (role === '' || role === decodeURIComponent(new URL(adminUrl).username))
    throw new Error("The database URL must name a role of the database's own, not the admin URL's")
  const name = databaseName(url)
  const [database, owner] = [pg.escapeIdentifier(name), pg.escapeIdentifier(role)]
  const login = password === '' ? 'LOGIN' : `LOGIN PASSWORD ${pg.escapeLiteral(scramVerifier(decodeURIComponent(password)))}`
  await onMaintenanceDatabase(adminUrl, async (client) => {
    // Held until this connection ends, when all is done.
    await client.query("SELECT pg_advisory_lock(hashtext('suite-db provision ' || $1))", [name])
    const found = async (sql: string, value: string) => ((await client.query(sql, [value])).rowCount ?? 0) > 0
    const roleFound = await found('SELECT 1 FROM pg_roles WHERE rolname = $1', role)
    await client.query(`${roleFound ? 'ALTER' : 'CREATE'} ROLE ${owner} ${login}`)
    // Only a member of a role may give it a database or what it owns (a superuser is one of every
    // role); as a member that inherits (the default, and RDS's master role), the admin role can
    // still use what it hands over, so services still connecting as it go on working.
    await client.query(`GRANT ${owner} TO CURRENT_USER`)
    if (await found('SELECT 1 FROM pg_database WHERE datname = $1', name))
      await client.query(`ALTER DATABASE ${database} OWNER TO ${owner}`)
    else await client.query(`CREATE DATABASE ${database} OWNER ${owner}`)
    await client.query(`REVOKE ALL ON DATABASE ${database} FROM PUBLIC`)
    await onDatabase(withDatabaseName(adminUrl, name), async (inDatabase) => {
      // Each change of owner waits for the table's running statements and holds up those after
      // it: a table busy for longer fails the run (run it again) rather than stall the services.
      await inDatabase.query("SET lock_timeout = '5s'")
      const { rows } = await inDatabase.query<{ statement: string }>(HAND_OVER, [role])
      for (const { statement } of rows) await inDatabase.query(statement)
    })
  })
}

/**
 * Drops the database named in `url`, disconnecting whoever still uses it; with `force: false` it
 * fails instead (55006) while anyone is connected.
 */
export async function dropDatabase(url: string, { force = true } = {}): Promise<void> {
  const name = databaseName(url)
  await onMaintenanceDatabase(url, async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)}${force ? ' WITH (FORCE)' : ''}`)
  })
}

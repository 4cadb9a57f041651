import { readFile } from 'node:fs/promises'
import pg from 'pg'
import t from 'tap'
import { testDatabase } from './helpers.ts'

const database = await testDatabase(t)
const source = await readFile(new URL('../src/otp/functions.sql', import.meta.url), 'utf8')

const definitions = async (client: pg.Client) =>
  (
    await client.query<{ signature: string; definition: string }>(`
      SELECT p.oid::regprocedure::text AS signature, pg_get_functiondef(p.oid) AS definition
      FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE n.nspname = 'public' AND p.proname LIKE 'otp\\_%' ORDER BY 1`)
  ).rows

t.test('the migrated database runs exactly the functions of src/otp/functions.sql', async (t) => {
  const client = new pg.Client({ connectionString: database.url })
  await client.connect()
  t.teardown(() => client.end())
  const migrated = await definitions(client)
  await client.query('BEGIN')
  await client.query(source)
  const fromSource = await definitions(client)
  await client.query('ROLLBACK')

  t.same(fromSource, migrated, 'replacing every function with its definition in the file changes nothing')
  const named = [...source.matchAll(/CREATE OR REPLACE FUNCTION (\w+)\(/g)].map((match) => match[1])
  t.same(
    [...new Set(migrated.map(({ signature }) => signature.split('(')[0]))].sort(),
    named.sort(),
    'every function in the database is defined in the file, once',
  )
})

import { execFile } from 'node:child_process'
import { join } from 'node:path'
import t from 'tap'
import { dropDatabase } from '../lib/databases.ts'
import { query, uniqueUrl } from './helpers/server.ts'

const fixture = join(import.meta.dirname, 'fixture')
const bin = join(import.meta.dirname, '..', 'bin', 'suite-db.js')

function suiteDb(args: string[], env: Record<string, string | undefined> = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { cwd: fixture, env: { ...process.env, DATABASE_URL: undefined, ...env } },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code) : 0, stdout, stderr }),
    )
  })
}

t.test('migrate, migration and reset against DATABASE_URL', async (t) => {
  const DATABASE_URL = uniqueUrl('cli')
  t.teardown(() => dropDatabase(DATABASE_URL))

  const before = await suiteDb(['status'], { DATABASE_URL })
  t.equal(before.code, 1, 'a database that does not exist yet is not fine')
  t.match(JSON.parse(before.stdout), { reachable: false, pending: [/\d{14}_init_schema/] })

  const first = await suiteDb(['migrate'], { DATABASE_URL })
  t.equal(first.code, 0, first.stderr)
  t.match(first.stdout, /Applied migrations: \d{14}_init_schema/)
  t.match((await suiteDb(['migrate'], { DATABASE_URL })).stdout, /No pending migrations/)
  const after = await suiteDb(['status'], { DATABASE_URL })
  t.equal(after.code, 0, after.stderr)
  t.match(JSON.parse(after.stdout), { reachable: true, latencyMs: Number, pending: [] })
  const unchanged = await suiteDb(['migration', 'nothing'], { DATABASE_URL })
  t.equal(unchanged.code, 0, unchanged.stderr)
  t.match(unchanged.stdout, /no changes to migrate/)

  await query('INSERT INTO accounts (email) VALUES ($1)', ['x@example.com'], DATABASE_URL)
  const reset = await suiteDb(['reset'], { DATABASE_URL })
  t.match(reset.stdout, /Applied migrations/)
  t.same(await query('SELECT * FROM accounts', [], DATABASE_URL), [], 'data is gone')
})

t.test('failures exit non-zero with one line', async (t) => {
  const cases: [string[], Record<string, string>, RegExp][] = [
    [['migrate'], {}, /DATABASE_URL is not set/],
    [['migrate'], { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/x' }, /ECONNREFUSED/],
    [['migration'], { DATABASE_URL: uniqueUrl('noname') }, /missing migration name/],
    [['frobnicate'], {}, /usage: suite-db/],
  ]
  for (const [args, env, message] of cases) {
    const result = await suiteDb(args, env)
    t.equal(result.code, 1, args.join(' '))
    t.match(result.stderr, /^suite-db: /)
    t.match(result.stderr, message)
    t.equal(result.stderr.trim().split('\n').length, 1, 'one line')
  }
})

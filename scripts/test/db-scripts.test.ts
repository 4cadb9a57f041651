import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { dropDatabase } from '@otp-suite/db/tooling'
import t from 'tap'

const script = join(import.meta.dirname, '..', 'db.mjs')
const server = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const urlFor = (name: string) => {
  const url = new URL(server)
  url.pathname = `/dbscripts_${process.pid}_${name}`
  return url.toString()
}
// Each service's database given by its own variable, as an operator would.
const env = {
  ...process.env,
  OTP_DATABASE_URL: urlFor('otp'),
  USER_DATABASE_URL: urlFor('user'),
  ADMIN_DATABASE_URL: urlFor('admin'),
}
t.teardown(() => Promise.all([urlFor('otp'), urlFor('user'), urlFor('admin')].map((url) => dropDatabase(url))))

const db = (args: string[], extra: Record<string, string> = {}) =>
  new Promise<{ code: number; output: string }>((resolve) => {
    execFile(process.execPath, [script, ...args], { env: { ...env, ...extra } }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code) : 0, output: stdout + stderr }),
    )
  })

t.test('check, migrate and reset every service database', async (t) => {
  const missing = await db(['check'])
  t.equal(missing.code, 1, 'not fine before they exist')
  t.equal(missing.output.match(/^FAIL/gm)?.length, 3, missing.output)

  t.equal((await db(['migrate'])).code, 0)
  const fine = await db(['check'])
  t.equal(fine.code, 0, fine.output)
  t.equal(fine.output.match(/^ok .* \d+ ms, migrations up to date$/gm)?.length, 3, fine.output)
  t.notMatch(fine.output, /password/i)

  const refused = await db(['reset'])
  t.equal(refused.code, 2)
  t.match(refused.output, /--yes/)
  const inProduction = await db(['reset', '--yes'], { NODE_ENV: 'production' })
  t.equal(inProduction.code, 2)
  t.match(inProduction.output, /production/)

  const elsewhere = await db(['reset', '--yes'], { USER_DATABASE_URL: 'postgres://postgres@db.example.com:5432/user_service' })
  t.equal(elsewhere.code, 2, 'a database on another host is not dropped without --remote')
  t.match(elsewhere.output, /db\.example\.com.*--remote/)
  t.equal((await db(['check'])).code, 0, 'and nothing was dropped meanwhile')

  t.equal((await db(['reset', '--yes'])).code, 0)
  t.equal((await db(['check'])).code, 0, 'recreated and migrated')
})

import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import t from 'tap'
import { buildUserService, login, testDatabase, testEnv, tokens } from './helpers.ts'

const database = await testDatabase(t)
const app = await buildUserService(t, testEnv(database.url))
const promote = (destination: string) =>
  promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/promote.ts', destination], {
    cwd: new URL('..', import.meta.url).pathname,
    env: { ...process.env, DATABASE_URL: database.url },
  }).then(
    ({ stdout }) => ({ code: 0, stdout }),
    (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
  )

t.test('the promote command makes an existing user an admin; the next sign-in carries the role', async (t) => {
  await login(app, { sub: '+14155550500' })
  const promoted = await promote('(415) 555-0500')
  t.equal(promoted.code, 0)
  t.match(promoted.stdout, /\+14155550500: the user is now an admin/)
  const session = await login(app, { sub: '+14155550500' })
  t.equal(tokens.verify('access', session.accessToken).role, 'admin')

  const nobody = await promote('nobody@example.com')
  t.equal(nobody.code, 1)
  t.match(nobody.stdout, /No live user has nobody@example.com/)
})

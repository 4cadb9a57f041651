import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { createTestDatabase } from '@otp-suite/db/testing'
import t from 'tap'

const run = promisify(execFile)
const root = join(import.meta.dirname, '..', '..')
const appDir = join(root, 'apps', 'otp-service')
const buildApp = join(root, 'scripts', 'build-app.mjs')

/** The address the server logs once it listens; rejects with its output if it stops first. */
function listeningUrl(server: ChildProcess): Promise<{ url: string; output: () => string }> {
  let output = ''
  const collect = (chunk: Buffer) => {
    output += chunk
  }
  server.stderr?.on('data', collect)
  return new Promise((resolve, reject) => {
    server.stdout?.on('data', (chunk: Buffer) => {
      collect(chunk)
      const url = /Server listening at (http:\/\/\S+)/.exec(output)?.[1]
      if (url) resolve({ url, output: () => output })
    })
    server.once('exit', (code) => reject(new Error(`the server stopped (${code}):\n${output}`)))
  })
}

t.test('a built service deploys with pnpm deploy and runs from the deployed folder alone', async (t) => {
  await run(process.execPath, [buildApp], { cwd: appDir })
  for (const file of await readdir(join(appDir, 'dist'))) {
    const text = await readFile(join(appDir, 'dist', file), 'utf8')
    t.notOk(text.includes(root), `dist/${file} names no path of the build machine`)
  }
  const bundle = await readFile(join(appDir, 'dist', 'server.js'), 'utf8')
  t.notMatch(bundle, /pglite|schema[-_]engine|applyMigrations|\btsx\b/i, 'no migration, embedded-database or TypeScript-loader code')

  const target = await mkdtemp(join(tmpdir(), 'otp-deploy-'))
  t.teardown(() => rm(target, { recursive: true, force: true }))
  await run('pnpm', ['--filter', '@otp-suite/otp-service', 'deploy', '--prod', '--offline', target], { cwd: root })

  const database = await createTestDatabase({ migrationsDir: join(appDir, 'prisma', 'migrations'), prefix: 'deploy' })
  t.teardown(() => database.drop())
  const secret = () => randomBytes(32).toString('base64url')
  const server = spawn(process.execPath, ['dist/server.js'], {
    cwd: target,
    env: {
      NODE_ENV: 'production',
      OTP_ALLOW_DEV_DELIVERY: 'true',
      // The pretty printer is the one package the bundle loads only on demand: it must resolve too.
      LOG_FORMAT: 'pretty',
      DATABASE_URL: database.url,
      PORT: '0',
      JWT_SECRET: secret(),
      OTP_PEPPER: secret(),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  t.teardown(() => {
    const exited = new Promise((resolve) => server.once('exit', resolve))
    server.kill('SIGTERM')
    return exited
  })

  const { url, output } = await listeningUrl(server)
  const ready = await fetch(`${url}/health/ready`)
  t.equal(ready.status, 200, '/health/ready answers 200', { body: await ready.text() })
  t.match(output(), /^\[[\d:.]+\] INFO: Server listening/m, 'logs readable lines when asked to')
})

t.test('the build refuses a package the app does not depend on, and an output outside the app', async (t) => {
  const app = await mkdtemp(join(tmpdir(), 'fixture-app-'))
  t.teardown(() => rm(app, { recursive: true, force: true }))
  await mkdir(join(app, 'src'))
  await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'fixture-app', type: 'module' }))
  // The suite's db package is bundled; the pg it imports must come from the app, which has none.
  const db = join(root, 'packages', 'db', 'index.ts')
  await writeFile(join(app, 'src', 'server.ts'), `import { createPool } from '${db}'\ncreatePool({ connectionString: 'x' })\n`)

  const missing = await run(process.execPath, [buildApp], { cwd: app }).catch((error: { code: number; stderr: string }) => error)
  t.match(
    missing,
    { code: 1, stderr: /pg \(imported by .*packages\/db\/lib\/pool\.ts\) must be a direct dependency of fixture-app/ },
    'names the package and the app',
  )

  const outside = await run(process.execPath, [buildApp, 'src/server.ts', join(tmpdir(), 'elsewhere.js')], { cwd: app }).catch(
    (error: { code: number; stderr: string }) => error,
  )
  t.match(outside, { code: 1, stderr: /is outside .*fixture-app-/ }, 'the output stays inside the app')
})

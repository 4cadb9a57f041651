import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'

const run = promisify(execFile)
const root = join(import.meta.dirname, '..', '..')
const buildApp = join(root, 'scripts', 'build-app.mjs')

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

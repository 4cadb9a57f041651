import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { hasNativeSchemaEngine } from '../lib/generate.ts'

const prismaCli = fileURLToPath(import.meta.resolve('prisma/build/index.js'))
const enginesPackage = createRequire(prismaCli).resolve('@prisma/engines/package.json')

t.test('a cached native engine is found, so generate leaves the CLI to use it', async (t) => {
  const cache = await mkdtemp(join(tmpdir(), 'suite-db-cache-'))
  const previous = process.env.XDG_CACHE_HOME
  process.env.XDG_CACHE_HOME = cache
  t.teardown(async () => {
    if (previous === undefined) delete process.env.XDG_CACHE_HOME
    else process.env.XDG_CACHE_HOME = previous
    await rm(cache, { recursive: true, force: true })
  })
  t.notOk(hasNativeSchemaEngine(), 'nothing cached and nothing installed on this machine')

  const { dependencies } = JSON.parse(await readFile(enginesPackage, 'utf8'))
  const commit = String(dependencies['@prisma/engines-version']).split('.').at(-1) ?? ''
  const target = join(cache, 'prisma', 'master', commit, 'debian-openssl-3.0.x')
  await mkdir(target, { recursive: true })
  await writeFile(join(target, 'schema-engine'), '')
  t.ok(hasNativeSchemaEngine())
})

import { spawn } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { homedir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const prismaCli = fileURLToPath(import.meta.resolve('prisma/build/index.js'))
const enginesPackage = createRequire(prismaCli).resolve('@prisma/engines/package.json')

// Where the Prisma CLI caches downloaded engines (its fetch-engine cache directory).
function engineCacheDir(): string {
  if (process.platform === 'win32' && process.env.APPDATA) {
    return join(process.env.APPDATA, 'Prisma')
  }
  return join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'prisma')
}

/** Whether the Prisma CLI has a native schema engine at hand, so it will not download one. */
export function hasNativeSchemaEngine(): boolean {
  const installed = readdirSync(dirname(enginesPackage))
  if (installed.some((file) => file.startsWith('schema-engine-'))) return true
  const { dependencies } = JSON.parse(readFileSync(enginesPackage, 'utf8')) as {
    dependencies: Record<string, string>
  }
  const commit = dependencies['@prisma/engines-version']?.split('.').at(-1) ?? ''
  const cached = join(engineCacheDir(), 'master', commit)
  return existsSync(cached) && readdirSync(cached).some((target) => existsSync(join(cached, target, 'schema-engine')))
}

/**
 * Runs `prisma generate` in `cwd`. The CLI insists on a schema engine binary even though
 * generating needs none; where none can be downloaded any existing file satisfies it, but a
 * real engine, when present, is left in charge.
 */
export async function generateClient(cwd: string, args: string[] = []): Promise<void> {
  const env = { ...process.env }
  if (env.PRISMA_SCHEMA_ENGINE_BINARY === undefined && !hasNativeSchemaEngine()) {
    env.PRISMA_SCHEMA_ENGINE_BINARY = '/bin/false'
  }
  const child = spawn(process.execPath, [prismaCli, 'generate', ...args], {
    cwd,
    env,
    stdio: 'inherit',
  })
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject)
    child.once('exit', resolve)
  })
  if (code !== 0) throw new Error(`prisma generate failed (exit code ${code})`)
}

// pnpm faults [name…]: runs the fault scripts (all of them, or those named) one after the other,
// each as a process of its own, and exits non-zero if any failed.
import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'

const folder = new URL('.', import.meta.url).pathname
export const FAULTS = readdirSync(folder)
  .filter((file) => file.endsWith('.ts') && !['lib.ts', 'proc.ts', 'run.ts'].includes(file))
  .map((file) => file.slice(0, -3))
  .sort()

/** Runs one fault script; its output goes to this process's, or with `capture` comes back as `output`. */
export function runFault(name: string, { capture = false } = {}) {
  const started = Date.now()
  const { status, stdout, stderr } = spawnSync(process.execPath, ['--import', 'tsx', `${folder}${name}.ts`], {
    stdio: capture ? 'pipe' : 'inherit',
    encoding: 'utf8',
    maxBuffer: 16 << 20,
  })
  return { name, passed: status === 0, seconds: Math.round((Date.now() - started) / 1000), output: `${stdout ?? ''}${stderr ?? ''}` }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const asked = process.argv.slice(2)
  const unknown = asked.filter((name) => !FAULTS.includes(name))
  if (unknown.length > 0) {
    console.error(`no fault named ${unknown.join(', ')}; there are: ${FAULTS.join(', ')}`)
    process.exit(2)
  }
  const results = (asked.length > 0 ? asked : FAULTS).map((name) => {
    console.log(`\n== ${name}`)
    return runFault(name)
  })
  console.log('')
  for (const { name, passed, seconds } of results) console.log(`${passed ? 'passed' : 'FAILED'}  ${name}  (${seconds} s)`)
  process.exit(results.every((result) => result.passed) ? 0 : 1)
}

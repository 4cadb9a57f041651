// The suite's databases, one per service, found as `pnpm start` finds them. Usage:
//   node scripts/db.mjs check          reachable? latency? migrations pending? (non-zero if any is not fine)
//   node scripts/db.mjs migrate        applies every service's migrations
//   node scripts/db.mjs reset --yes    drops, recreates and migrates every service's database
//                                      (on another host than this one only with --remote too)
import { forEachDatabase, resolveDatabases, root, SERVICE_NAMES } from './lib/suite.mjs'

const [command, ...flags] = process.argv.slice(2)
if (!['check', 'migrate', 'reset'].includes(command ?? '')) {
  console.error('usage: node scripts/db.mjs check | migrate | reset --yes')
  process.exit(2)
}
if (command === 'reset' && (process.env.NODE_ENV === 'production' || !flags.includes('--yes'))) {
  console.error(
    process.env.NODE_ENV === 'production'
      ? 'db:reset refuses to run with NODE_ENV=production'
      : 'db:reset drops every service database and all its data: run it again with --yes',
  )
  process.exit(2)
}

const databases = await resolveDatabases({ names: SERVICE_NAMES, dataDir: `${root}.data`, log: () => {} })
// A URL left in the shell (staging, a managed database) must not be dropped out of habit.
const remote = Object.values(databases.urls)
  .map((url) => new URL(url).hostname)
  .filter((host) => host !== '' && host !== 'localhost' && host !== '[::1]' && !host.startsWith('127.'))
if (command === 'reset' && remote.length > 0 && !flags.includes('--remote')) {
  console.error(`db:reset would drop databases on ${[...new Set(remote)].join(', ')}: run it again with --remote too if you mean it`)
  await databases.stop()
  process.exit(2)
}
let failed = false
try {
  if (command === 'reset') {
    if (databases.embedded) throw new Error('the databases are embedded: stop the suite and delete .data/pglite to start them afresh')
    console.log(
      `Dropping and recreating: ${Object.values(databases.urls)
        .map((url) => new URL(url).host + new URL(url).pathname)
        .join(', ')}`,
    )
  }
  const results = forEachDatabase(command === 'check' ? ['status'] : [command], databases.urls, { quiet: command === 'check' })
  failed = results.some((result) => !result.ok)
  if (command === 'check') {
    for (const { name, url, ok, output } of results) {
      const status = JSON.parse(output.split('\n').find((line) => line.startsWith('{')) ?? '{}')
      const shown = new URL(url)
      shown.password = ''
      const detail = status.reachable
        ? `${status.latencyMs} ms, ${status.pending.length === 0 ? 'migrations up to date' : `pending: ${status.pending.join(', ')}`}`
        : `unreachable: ${status.error ?? output.trim()}`
      console.log(`${ok ? 'ok  ' : 'FAIL'} ${name.padEnd(14)} ${shown} ${detail}`)
    }
  }
} catch (error) {
  console.error(`db:${command}: ${error.message}`)
  failed = true
} finally {
  await databases.stop()
}
process.exit(failed ? 1 : 0)

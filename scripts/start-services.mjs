// `pnpm start`: every service and the gateway on this machine, for development. Usage:
//   node scripts/start-services.mjs [--service NAME]... [--instances N]
// Databases: <SERVICE>_DATABASE_URL, else DATABASE_SERVER_URL or the PostgreSQL on 127.0.0.1:5432,
// else (or with DATABASE_SERVER_URL=embedded) an embedded PostgreSQL per service under .data/.
import { parseArgs } from 'node:util'
import { SERVICE_NAMES, startSuite } from './lib/suite.mjs'

if (process.env.NODE_ENV === 'production') {
  console.error('start-services is for local development; run each service with its own configuration in production')
  process.exit(1)
}

const { values } = parseArgs({
  options: { service: { type: 'string', multiple: true }, instances: { type: 'string', default: '1' } },
})
const names = values.service ?? SERVICE_NAMES
const unknown = names.filter((name) => !SERVICE_NAMES.includes(name))
const instances = Number(values.instances)
if (unknown.length > 0 || !Number.isInteger(instances) || instances < 1 || instances > 9) {
  console.error(`usage: pnpm start [--service ${SERVICE_NAMES.join('|')}]... [--instances 1-9]`)
  process.exit(2)
}

// Ctrl-C while starting stops what has started; once ready, it stops everything (below). Another
// while stopping ends this process at once: the services, which watch it, end with it, and the
// embedded databases stop cleanly.
const starting = new AbortController()
let stopping = false
let stop = () => starting.abort()
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    if (stopping) process.exit(130)
    stopping = true
    stop()
  })
}
const suite = await startSuite({
  names,
  instances,
  signal: starting.signal,
  onExit: (entry, how) => {
    if (stopping) return
    console.error(`\n${entry.label} (${entry.url}) stopped unexpectedly (${how}); the others keep running. Ctrl-C stops everything.\n`)
    process.exitCode = 1
  },
}).catch((error) => {
  console.error(starting.signal.aborted ? 'Stopped while starting' : `The suite did not start: ${error.message}`)
  process.exit(1)
})

const width = Math.max(...suite.processes.map((entry) => entry.label.length))
console.log('\nThe suite is ready:')
for (const entry of suite.processes.toSorted((a, b) => Number(b.name === 'gateway') - Number(a.name === 'gateway'))) {
  console.log(
    `  ${entry.label.padEnd(width)}  ${entry.url}${entry.name === 'gateway' ? '  (the one public entry; docs at /docs, admin dashboard at /admin/)' : ''}`,
  )
}
console.log(`\nCodes and links are written to ${suite.outbox}, one JSON line each; the last one:`)
console.log(`  tail -n 1 ${suite.outbox}`)
if (suite.embedded) console.log('Databases: embedded PostgreSQL under .data/pglite')
console.log('Ctrl-C stops everything.\n')

stop = async () => {
  await suite.stop()
  process.exit(process.exitCode ?? 0)
}

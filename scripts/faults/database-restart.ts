// PostgreSQL crashes and comes back under load: while it is down every service answers 503 (fast,
// never a 500), each is ready again within 5 s of the server's return, and nothing the suite
// answered 2xx to is lost: codes, sessions, logouts, bans and their audit rows, counted and checked
// one by one. The server is one of the script's own (initdb in a temporary folder), so the shared
// one is never touched; it is stopped with `-m immediate`, as a crash would, and recovers from WAL.
import { execFile, spawnSync } from 'node:child_process'
import { chownSync, readdirSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { freePort } from '@otp-suite/testing'
import { check, checkLedger, countRows, signInLoad, sleep, startFaultSuite, statusLine, verdict } from './lib.ts'

const bin = `/usr/lib/postgresql/${readdirSync('/usr/lib/postgresql').sort().at(-1)}/bin`
const folder = await mkdtemp(join(tmpdir(), 'fault-postgres-'))
const data = join(folder, 'data')
const port = await freePort()
const execFileAsync = promisify(execFile)
// PostgreSQL refuses to run as root: as root, the server runs as the postgres user.
const asRoot = process.getuid?.() === 0
if (asRoot) chownSync(folder, Number(spawnSync('id', ['-u', 'postgres']).stdout), Number(spawnSync('id', ['-g', 'postgres']).stdout))

// Run without blocking: the load and its clocks go on in this process while the server starts. The
// clean-up waits for the command under way, so a signal in the middle of a start still stops the server.
let underWay: Promise<unknown> = Promise.resolve()
async function server(command: string, ...args: string[]) {
  const [file, rest] = asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, command), ...args]] : [join(bin, command), args]
  const run = execFileAsync(file, rest as string[], { encoding: 'utf8' })
  underWay = run.catch(() => {})
  try {
    await run
  } catch (error) {
    const { stderr, stdout, message } = error as { stderr?: string; stdout?: string; message: string }
    throw new Error(`${command} ${args.join(' ')}: ${stderr || stdout || message}`)
  }
}
const start = () =>
  server('pg_ctl', '-D', data, '-l', join(folder, 'log'), '-w', '-o', `-p ${port} -k ${folder} -c listen_addresses=127.0.0.1`, 'start')

let suite: Awaited<ReturnType<typeof startFaultSuite>> | undefined
await verdict(
  async () => {
    await server('initdb', '-D', data, '-A', 'trust', '-U', 'postgres')
    await start()
    suite = await startFaultSuite({
      name: 'database-restart',
      instances: 1,
      databaseServerUrl: `postgres://postgres@127.0.0.1:${port}/postgres`,
    })
    const services = (suite.suite.processes as { name: string; url: string }[]).filter((entry) => entry.name !== 'gateway')

    const before = signInLoad(suite, 8)
    await sleep(3000)
    await before.stop()
    const counted = await countRows(suite.databaseUrls)
    console.log(`before the crash: ${statusLine(before.ledger.statuses)}`)

    const during = signInLoad(suite, 8)
    await sleep(1000)
    await server('pg_ctl', '-D', data, '-m', 'immediate', 'stop')
    const crashed = Date.now()
    await sleep(1500)
    const probes = await Promise.all(
      services.map(async ({ name, url }) => {
        const started = Date.now()
        const { status } = await fetch(`${url}/health/ready`)
        return { name, status, ms: Date.now() - started }
      }),
    )
    check(
      'while the database is down, every service says it is not ready, at once',
      probes.every((probe) => probe.status === 503 && probe.ms < 1000),
      probes.map((probe) => `${probe.name} ${probe.status} in ${probe.ms} ms`).join(', '),
    )
    await start()
    const back = Date.now()
    const readyAfter = await Promise.all(
      services.map(async ({ url }) => {
        while ((await fetch(`${url}/health/ready`).catch(() => undefined))?.status !== 200) await sleep(50)
        return Date.now() - back
      }),
    )
    check(
      'every service is ready again within 5 s',
      Math.max(...readyAfter) < 5000,
      `${readyAfter.join(', ')} ms; down ${back - crashed} ms`,
    )
    await sleep(2000)
    await during.stop()
    const statuses = [...during.ledger.statuses.keys()].map((key) => key.split(' ')[1] as string)
    console.log(`through the crash: ${statusLine(during.ledger.statuses)}`)
    check(
      'through the crash every answer was a success or a 503: no 500, no hang-up',
      statuses.every((status) => status.startsWith('2') || status === '503'),
    )
    check(
      'no request waited more than 5 s',
      during.ledger.slowest.ms < 5000,
      `slowest ${during.ledger.slowest.step} in ${during.ledger.slowest.ms} ms`,
    )
    check(
      'requests went on after the database came back',
      [...during.ledger.statuses].some(([key]) => key.startsWith('login 200')),
    )

    const after = await countRows(suite.databaseUrls)
    check(
      'no committed row was lost',
      after.codes >= counted.codes &&
        after.sessions >= counted.sessions &&
        after.blacklist >= counted.blacklist &&
        after.audit >= counted.audit,
      `before ${JSON.stringify(counted)}, after ${JSON.stringify(after)}`,
    )
    for (const load of [before, during]) await checkLedger(suite, load.ledger)
  },
  async () => {
    await suite?.stop()
    await underWay
    try {
      await server('pg_ctl', '-D', data, '-m', 'fast', 'stop')
    } catch {}
    await rm(folder, { recursive: true, force: true })
  },
)

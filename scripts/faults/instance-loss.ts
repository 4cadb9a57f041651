// One of two instances of every service killed (SIGKILL) under load behind the gateway: under 1%
// of the requests fail, and on the instances left every code sent still verifies, every session
// still works, and no token that was logged out becomes valid again.
import { check, checkLedger, signInLoad, sleep, startFaultSuite, statusLine, verdict } from './lib.ts'

let suite: Awaited<ReturnType<typeof startFaultSuite>> | undefined
await verdict(
  async () => {
    suite = await startFaultSuite({
      name: 'instance-loss',
      instances: 2,
      databaseServerUrl: process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    })
    const load = signInLoad(suite, 8)
    await sleep(3000)
    const victims = (suite.suite.processes as { name: string; label: string; child: import('node:child_process').ChildProcess }[]).filter(
      (entry) => entry.name !== 'gateway' && entry.label.endsWith('#1'),
    )
    await Promise.all(
      victims.map(({ child }) => {
        const gone = new Promise((resolve) => child.once('exit', resolve))
        child.kill('SIGKILL')
        return gone
      }),
    )
    console.log(`killed ${victims.map((victim) => victim.label).join(', ')}`)
    // Long enough to be sustained load: the requests in flight on the killed instances are what fails,
    // at most one per worker, so the share must not depend on how fast this machine is today.
    await sleep(25_000)
    await load.stop()
    const { statuses, requests } = load.ledger
    const failed = [...statuses].filter(([key]) => !key.split(' ')[1]?.startsWith('2')).reduce((sum, [, count]) => sum + count, 0)
    console.log(statusLine(statuses))
    check(
      'under 1% of the requests failed',
      failed / requests < 0.01,
      `${failed} of ${requests}, ${((100 * failed) / requests).toFixed(2)}%`,
    )
    check('sign-ins went on after the kill', load.ledger.sessions.length > 0 && requests > 200, `${requests} requests`)
    await checkLedger(suite, load.ledger)
  },
  async () => {
    await suite?.stop()
  },
)

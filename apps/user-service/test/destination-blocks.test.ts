import { freePort, otpServiceEnv, standIn, startService, until } from '@otp-suite/testing'
import pg from 'pg'
import t, { type Test } from 'tap'
import { oneRunAtATime } from '../src/users/destination-blocks.ts'
import { buildUserService, jwtSecret, login, serviceToken, testDatabase, testEnv } from './helpers.ts'

const database = await testDatabase(t)
/** Every queued change has been sent (or set aside). */
const queueEmpty = async () => (await database.query('SELECT id FROM destination_blocks')).length === 0

/** The real otp-service, as a process of its own on `port`, sharing the suite's JWT secret. */
async function startOtpService(port: number) {
  const otp = await startService(t, 'otp-service', otpServiceEnv(jwtSecret, { PORT: String(port) }).env)
  const send = async (to: string) =>
    (
      await fetch(`${otp.url}/api/v1/otp/send`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ channel: to.includes('@') ? 'email' : 'sms', to, purpose: 'login' }),
      })
    ).status
  return { send }
}

type App = Awaited<ReturnType<typeof buildUserService>>
/** Bans or unbans, as admin-service does. */
const setStatus = (app: App, id: string, status: 'banned' | 'active') =>
  app.inject({
    method: 'PATCH',
    url: `/internal/v1/users/${id}`,
    headers: { authorization: `Bearer ${serviceToken()}` },
    payload: { status },
  })

t.test('a ban made while otp-service is down still blocks new codes, once it is back; unbanning lifts it', async (t) => {
  const port = await freePort()
  const app = await buildUserService(
    t,
    testEnv(database.url, { OTP_SERVICE_URL: `http://127.0.0.1:${port}`, DESTINATION_BLOCK_RETRY_SECONDS: '1' }),
  )
  const user = await login(app, { sub: '+14155550400' })
  const patch = (status: 'banned' | 'active') => setStatus(app, user.user.id, status)

  t.equal((await patch('banned')).statusCode, 200, 'the ban answers while otp-service is down')
  const tried = async () => {
    const [queued] = await database.query<{ attempts: number }>('SELECT attempts FROM destination_blocks WHERE blocked')
    return (queued?.attempts ?? 0) >= 1
  }
  t.ok(await until(tried, 3000), 'queued, and tried at once')

  const otp = await startOtpService(port)
  t.ok(await until(queueEmpty, 5000), 'the repeating job delivered the block')
  t.equal(await otp.send('+14155550400'), 403, 'no code for a banned user')
  t.equal(await otp.send('+14155550401'), 202, 'other destinations get codes')

  t.equal((await patch('active')).statusCode, 200)
  t.ok(await until(queueEmpty, 5000), 'the unblock is sent at once')
  t.equal(await otp.send('+14155550400'), 202, 'unbanned: codes again')
})

t.test('with one of two otp-service instances gone, blocks go to the one left at once', async (t) => {
  const port = await freePort()
  const otp = await startOtpService(port)
  const app = await buildUserService(t, testEnv(database.url, { OTP_SERVICE_URL: `http://127.0.0.1:1,http://127.0.0.1:${port}` }))
  for (const phone of ['+14155550410', '+14155550411']) {
    const user = await login(app, { sub: phone })
    t.equal((await setStatus(app, user.user.id, 'banned')).statusCode, 200)
    t.ok(await until(async () => (await otp.send(phone)) === 403, 2000), `${phone}: blocked, whichever instance its turn started with`)
  }
  // Each block leaves the queue once its answer is back, a moment after otp-service applied it.
  t.ok(await until(queueEmpty, 2000), 'nothing left to retry')
})

/** otp-service's block endpoint, answering each change after `delayMs`; `received` lists the destinations in the order they came. */
async function blockEndpoint(t: Test, delayMs: number) {
  const received: string[] = []
  const url = await standIn(t, async (request, response) => {
    let body = ''
    for await (const chunk of request) body += chunk
    await new Promise((resolve) => setTimeout(resolve, delayMs))
    received.push(JSON.parse(body).destinations[0].to)
    response.writeHead(204).end()
  })
  return { url, received }
}

t.test('bans queued while a send is on its way are sent right after it, in order', async (t) => {
  // Each change answered after 400 ms: the later bans come while the first is still out.
  const otp = await blockEndpoint(t, 400)
  // The repeating job is off (testEnv): only the sends right after the bans can deliver them.
  const app = await buildUserService(t, testEnv(database.url, { OTP_SERVICE_URL: otp.url }))
  const phones = ['+14155550420', '+14155550421', '+14155550422', '+14155550423']
  const users = []
  for (const phone of phones) users.push(await login(app, { sub: phone }))
  for (const user of users) t.equal((await setStatus(app, user.user.id, 'banned')).statusCode, 200)
  t.ok(await until(async () => otp.received.length === phones.length, 5000), `every block sent: ${otp.received.join(', ')}`)
  t.same(otp.received, phones, 'in the order of the bans')
  t.ok(await until(queueEmpty, 2000), 'nothing left to retry')
})

t.test("a ban made while another instance's send holds the queue is sent once it is let go, no statement waiting for it", async (t) => {
  const otp = await blockEndpoint(t, 0)
  const app = await buildUserService(t, testEnv(database.url, { OTP_SERVICE_URL: otp.url, DATABASE_STATEMENT_TIMEOUT_MS: '1000' }))
  // A first ban, with nothing held, prepares the statements.
  const first = await login(app, { sub: '+14155550430' })
  t.equal((await setStatus(app, first.user.id, 'banned')).statusCode, 200)
  t.ok(await until(async () => otp.received.length === 1, 3000), 'the first ban is sent')

  // Another instance's send as the database sees it: a transaction holding the queue's lock.
  const other = new pg.Client({ connectionString: database.url })
  await other.connect()
  t.teardown(() => other.end())
  await other.query('BEGIN')
  await other.query("SELECT pg_advisory_xact_lock(hashtextextended('destination_blocks', 0))")
  const second = await login(app, { sub: '+14155550431' })
  t.equal((await setStatus(app, second.user.id, 'banned')).statusCode, 200)
  // Held for two and a half statement timeouts.
  await new Promise((resolve) => setTimeout(resolve, 2500))
  t.same(otp.received, ['+14155550430'], 'nothing sent while the queue is held')
  await other.query('COMMIT')
  t.ok(await until(async () => otp.received.length === 2, 3000), `sent once the queue is let go: ${otp.received.join(', ')}`)
  t.ok(await until(queueEmpty, 2000), 'nothing left to retry')
})

t.test('one run at a time: the calls made during a run share the one run after it', async (t) => {
  let runs = 0
  let running = 0
  let most = 0
  const release: (() => void)[] = []
  const run = oneRunAtATime(async () => {
    runs++
    most = Math.max(most, ++running)
    await new Promise<void>((resolve) => release.push(resolve))
    running--
    return runs
  })
  const first = run()
  const during = [run(), run(), run()]
  t.equal(runs, 1, 'the calls during the first run wait')
  release.shift()?.()
  t.equal(await first, 1)
  await until(async () => release.length === 1, 1000)
  release.shift()?.()
  t.same(await Promise.all(during), [2, 2, 2], 'and share the second run')
  t.equal(most, 1, 'never two at once')
  const failing = oneRunAtATime(async () => {
    throw new Error('down')
  })
  await t.rejects(failing(), /down/)
  await t.rejects(failing(), /down/, 'a failed run does not stop the next')
})

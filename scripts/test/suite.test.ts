import { createSuiteClient } from '@otp-suite/client'
import { processStat, signInByPhone, until } from '@otp-suite/testing'
import t from 'tap'
import { startTestSuite } from './test-suite.ts'

// The whole suite as `pnpm start --instances 2` runs it (from sources), on real PostgreSQL, reached
// only through the gateway.
const admin = '+14155550999'
const { suite, gateway, outbox } = await startTestSuite(t, { name: 'e2e', portBase: 10_000, instances: 2, env: { ADMIN_BOOTSTRAP: admin } })
const client = () => createSuiteClient({ baseUrl: gateway })

/** A phone signed in through the gateway, as an app signs in. */
async function signIn(phone: string) {
  const app = client()
  const { user, accessToken } = await signInByPhone(app, outbox, phone)
  return { app, user, accessToken }
}

/** A request with a token that is not the client's session's. */
const me = (accessToken: string) => client().api.GET('/api/v1/users/me', { headers: { authorization: `Bearer ${accessToken}` } })

t.test('sign in, use the session, log out: all through the gateway', async (t) => {
  const { app, accessToken } = await signIn('+14155550100')
  t.match((await app.api.GET('/api/v1/users/me')).data, { phone: '+14155550100', phoneVerified: true })
  t.equal((await app.logout()).response.status, 204)
  const after = await Promise.all([1, 2, 3, 4].map(() => me(accessToken)))
  t.same(
    after.map((reply) => reply.response.status),
    [401, 401, 401, 401],
    'refused once logout answered, on whichever user-service instance the gateway picks',
  )
})

t.test('an admin reads the dashboard and bans a user, who is refused from then on', async (t) => {
  const adminSession = await signIn(admin)
  t.equal(adminSession.user.role, 'admin')
  const metrics = await adminSession.app.api.GET('/api/v1/admin/dashboard/metrics')
  t.match(metrics.data, { users: { total: Number }, otp: { sent: { total: Number } } })

  const { user, accessToken } = await signIn('+14155550200')
  const ban = await adminSession.app.api.POST('/api/v1/admin/users/{id}/ban', {
    params: { path: { id: user.id } },
    body: { reason: 'abuse' },
  })
  t.equal(ban.data?.status, 'banned')
  t.equal((await me(accessToken)).response.status, 401, 'their session ended')
  // The ban reaches otp-service just after it answers (until then a send meets the cooldown).
  const refused = async () => (await client().sendCode({ channel: 'sms', to: '+14155550200', purpose: 'login' })).response.status === 403
  t.ok(await until(refused, 5000, 100), 'no more codes')
  t.equal((await fetch(`${gateway}/internal/v1/stats`)).status, 404, 'internal routes stay inside')
})

t.test('many codes sent from this machine are not held to one address’s limits', async (t) => {
  const sends = await Promise.all(
    Array.from({ length: 40 }, (_, i) => client().sendCode({ channel: 'email', to: `local-${i}@example.com`, purpose: 'login' })),
  )
  t.same(new Set(sends.map((send) => send.response.status)), new Set([202]), 'more than the shipped 30 an hour')
})

t.test(
  "each process of the suite leads a process group of its own: a terminal's Ctrl-C reaches only the command, which stops each once",
  async (t) => {
    for (const { label, child } of suite.processes as { label: string; child: { pid: number } }[]) {
      t.equal(processStat(child.pid).group, child.pid, label)
    }
  },
)

t.test('one otp-service instance dies: the next sends still succeed', async (t) => {
  const [first] = suite.processes.filter((entry: { name: string }) => entry.name === 'otp-service')
  first.child.kill('SIGKILL')
  await new Promise((resolve) => first.child.once('exit', resolve))
  const statuses = []
  for (let i = 0; i < 4; i++)
    statuses.push((await client().sendCode({ channel: 'sms', to: `+1415555030${i}`, purpose: 'login' })).response.status)
  t.same(statuses, [202, 202, 202, 202])
  t.ok((await signIn('+14155550310')).user, 'and a whole sign-in works on what is left')
})

import t from 'tap'
import { ADMIN_PHONES, bearer, buildAdminService, startUpstreams, testDatabase, testEnv, until } from './helpers.ts'

const database = await testDatabase(t)
const upstreams = await startUpstreams(t)
const admin = await upstreams.signIn(ADMIN_PHONES[0] as string)
const env = testEnv(database.url, upstreams)
const [first, second] = [await buildAdminService(t, env), await buildAdminService(t, env)]
type App = typeof first

const as = (token: string) => ({
  get: (app: App, url: string) => app.inject({ method: 'GET', url, headers: bearer(token) }),
  post: (app: App, url: string, payload?: unknown) =>
    app.inject({ method: 'POST', url, headers: bearer(token), ...(payload !== undefined && { payload: payload as object }) }),
})
const { get, post } = as(admin.accessToken)

type AuditRow = { admin_id: string; action: string; target_type: string; target_id: string; details: Record<string, unknown> }
const auditRows = () => database.query<AuditRow>('SELECT admin_id, action, target_type, target_id, details FROM audit_log ORDER BY id')

t.test('a ban ends the user’s sessions, is audited, and drops the stale entries on the other instance within a second', async (t) => {
  const user = await upstreams.signIn('+14155550200')
  const detailUrl = `/api/v1/admin/users/${user.user.id}`
  for (const app of [first, second]) t.equal((await get(app, detailUrl)).json().status, 'active')
  t.equal((await get(second, detailUrl)).headers['x-cache'], 'HIT', 'the second instance caches the user')
  t.equal((await get(second, '/api/v1/admin/users?status=banned')).json().total, 0)
  const bannedBefore = (await get(second, '/api/v1/admin/dashboard/metrics')).json().users.banned

  const ban = await post(first, `${detailUrl}/ban`, { reason: 'Spam from this number' })
  t.equal(ban.statusCode, 200)
  t.match(ban.json(), { id: user.user.id, status: 'banned' })
  const me = await fetch(`${upstreams.users.url}/api/v1/users/me`, { headers: bearer(user.accessToken) })
  t.equal(me.status, 401, 'the banned user’s token is dead')

  const started = Date.now()
  t.ok(await until(async () => (await get(second, detailUrl)).json().status === 'banned', 1000), 'the second instance sees the ban')
  t.comment(`seen by the second instance after ${Date.now() - started} ms`)
  t.equal((await get(second, '/api/v1/admin/users?status=banned')).json().total, 1, 'its lists were dropped too')
  t.equal((await get(second, '/api/v1/admin/dashboard/metrics')).json().users.banned, bannedBefore + 1, 'and its metrics')

  t.match((await auditRows()).at(-1), {
    admin_id: admin.user.id,
    action: 'user.ban',
    target_type: 'user',
    target_id: user.user.id,
    details: { reason: 'Spam from this number', outcome: 'done' },
  })

  const unban = await post(second, `${detailUrl}/unban`)
  t.equal(unban.statusCode, 200, 'unban needs no body')
  t.equal(unban.json().status, 'active')
  t.ok(await until(async () => (await get(first, detailUrl)).json().status === 'active', 1000))
  t.match((await auditRows()).at(-1), { action: 'user.unban', target_id: user.user.id, details: { outcome: 'done' } })
})

t.test('refused actions write nothing: bad input, an unknown user, banning oneself', async (t) => {
  const before = (await auditRows()).length
  const user = await upstreams.signIn('+14155550201')
  const cases = [
    ['no reason', `/api/v1/admin/users/${user.user.id}/ban`, {}, 400, 'VALIDATION_ERROR'],
    ['an empty reason', `/api/v1/admin/users/${user.user.id}/ban`, { reason: '' }, 400, 'VALIDATION_ERROR'],
    ['a blank reason', `/api/v1/admin/users/${user.user.id}/ban`, { reason: '   ' }, 400, 'VALIDATION_ERROR'],
    ['a control character', `/api/v1/admin/users/${user.user.id}/ban`, { reason: 'spam\u0000' }, 400, 'VALIDATION_ERROR'],
    ['a reason too long', `/api/v1/admin/users/${user.user.id}/ban`, { reason: 'x'.repeat(501) }, 400, 'VALIDATION_ERROR'],
    ['not a user id', '/api/v1/admin/users/1%20OR%201=1/ban', { reason: 'r' }, 400, 'VALIDATION_ERROR'],
    ['an unknown user', '/api/v1/admin/users/00000000-0000-4000-8000-000000000000/ban', { reason: 'r' }, 404, 'USER_NOT_FOUND'],
    ['oneself', `/api/v1/admin/users/${admin.user.id}/ban`, { reason: 'r' }, 409, 'CANNOT_BAN_SELF'],
  ] as const
  for (const [name, url, body, statusCode, code] of cases) {
    const reply = await post(first, url, body)
    t.equal(reply.statusCode, statusCode, name)
    t.equal(reply.json().code, code, name)
  }
  const text = await first.inject({
    method: 'POST',
    url: `/api/v1/admin/users/${user.user.id}/ban`,
    headers: { ...bearer(admin.accessToken), 'content-type': 'text/plain' },
    payload: 'reason',
  })
  t.equal(text.statusCode, 415)
  t.equal((await auditRows()).length, before, 'no audit row for any of them')
  t.equal((await get(first, `/api/v1/admin/users/${user.user.id}`)).json().status, 'active')
})

t.test('the audit log pages newest first by cursor', async (t) => {
  const user = await upstreams.signIn('+14155550202')
  for (let i = 0; i < 3; i++) {
    t.equal((await post(first, `/api/v1/admin/users/${user.user.id}/ban`, { reason: `round ${i}` })).statusCode, 200)
    t.equal((await post(first, `/api/v1/admin/users/${user.user.id}/unban`, {})).statusCode, 200)
  }
  const all = (await auditRows()).length
  const seen: { id: string; action: string }[] = []
  let cursor: string | null = null
  do {
    const page = await get(first, `/api/v1/admin/audit-log?limit=4${cursor ? `&cursor=${cursor}` : ''}`)
    t.equal(page.statusCode, 200)
    const body = page.json() as { items: { id: string; action: string }[]; nextCursor: string | null }
    t.ok(body.items.length <= 4)
    seen.push(...body.items)
    cursor = body.nextCursor
  } while (cursor)
  t.equal(seen.length, all, 'every row once')
  t.same(
    seen.map((entry) => Number(entry.id)),
    seen.map((entry) => Number(entry.id)).toSorted((a, b) => b - a),
    'newest first',
  )
  t.match(seen[0], { action: 'user.unban', adminId: admin.user.id, targetType: 'user', targetId: user.user.id, createdAt: String })

  for (const bad of ['abc', '-1', '0', '99999999999999999999', '1.5']) {
    t.equal((await get(first, `/api/v1/admin/audit-log?cursor=${bad}`)).statusCode, 400, `cursor ${bad}`)
  }
  t.equal((await get(first, '/api/v1/admin/audit-log?limit=101')).statusCode, 400)
})

t.test('manual invalidation by prefix reaches every instance and is audited', async (t) => {
  t.equal((await get(second, '/api/v1/admin/dashboard/metrics')).statusCode, 200)
  t.equal((await get(second, '/api/v1/admin/users?limit=3')).statusCode, 200)
  t.equal((await get(second, '/api/v1/admin/dashboard/metrics')).headers['x-cache'], 'HIT')

  const invalidate = await post(first, '/api/v1/admin/cache/invalidate', { prefix: 'metrics' })
  t.equal(invalidate.statusCode, 204)
  t.ok(await until(async () => (await get(second, '/api/v1/admin/dashboard/metrics')).headers['x-cache'] === 'MISS', 1000))
  t.equal((await get(second, '/api/v1/admin/users?limit=3')).headers['x-cache'], 'HIT', 'other entries stay')

  t.equal((await post(first, '/api/v1/admin/cache/invalidate')).statusCode, 204, 'no body drops everything')
  t.ok(await until(async () => (await get(second, '/api/v1/admin/users?limit=3')).headers['x-cache'] === 'MISS', 1000))
  const rows = await auditRows()
  t.match(rows.slice(-2), [
    { action: 'cache.invalidate', target_type: 'cache', target_id: 'metrics' },
    { action: 'cache.invalidate', target_type: 'cache', target_id: '' },
  ])
  t.equal((await post(first, '/api/v1/admin/cache/invalidate', { prefix: 'a\nb' })).statusCode, 400)
})

t.test('a plain user cannot reach any admin route', async (t) => {
  const user = await upstreams.signIn('+14155550203')
  const { get: userGet, post: userPost } = as(user.accessToken)
  for (const reply of [
    await userGet(first, '/api/v1/admin/audit-log'),
    await userGet(first, '/api/v1/admin/users'),
    await userPost(first, `/api/v1/admin/users/${user.user.id}/unban`, {}),
    await userPost(first, '/api/v1/admin/cache/invalidate', {}),
  ]) {
    t.equal(reply.statusCode, 403)
  }
})

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { startGateway, testEnv } from './helpers.ts'

const files = await mkdtemp(join(tmpdir(), 'admin-dashboard-'))
t.teardown(() => rm(files, { recursive: true, force: true }))
await mkdir(join(files, 'assets'))
await writeFile(join(files, 'index.html'), '<!doctype html><script type="module" src="/admin/assets/index-abc123.js"></script>')
await writeFile(join(files, 'assets', 'index-abc123.js'), 'console.log("dashboard")')

const { url } = await startGateway(t, testEnv({ ADMIN_DASHBOARD_DIR: files }))

t.test('the page is served at /admin/ under a policy that runs no inline script', async (t) => {
  const page = await fetch(`${url}/admin/`)
  t.equal(page.status, 200)
  t.match(page.headers.get('content-type'), /^text\/html/)
  t.match(await page.text(), /index-abc123\.js/)
  const policy = page.headers.get('content-security-policy') ?? ''
  t.match(policy, /script-src 'self'(;|$)/)
  t.notMatch(policy, /unsafe-inline|unsafe-eval/)
  t.match(policy, /frame-ancestors 'none'/)
  t.equal(page.headers.get('cache-control'), 'no-cache', 'the page is checked every time, so a new build shows at once')
})

t.test('/admin goes to /admin/', async (t) => {
  const reply = await fetch(`${url}/admin`, { redirect: 'manual' })
  t.equal(reply.status, 301)
  t.equal(reply.headers.get('location'), '/admin/')
})

t.test('hashed assets are cached for good', async (t) => {
  const asset = await fetch(`${url}/admin/assets/index-abc123.js`)
  t.equal(asset.status, 200)
  t.match(asset.headers.get('content-type'), /javascript/)
  t.equal(asset.headers.get('cache-control'), 'public, max-age=31536000, immutable')
})

t.test('nothing outside the build is reachable', async (t) => {
  for (const path of ['/admin/missing.js', '/admin/..%2f..%2fpackage.json', '/admin/%2e%2e/%2e%2e/package.json']) {
    const reply = await fetch(`${url}${path}`)
    t.equal(reply.status, 404, path)
    await reply.body?.cancel()
  }
})

t.test("the API's answers keep their own policy", async (t) => {
  const reply = await fetch(`${url}/api/v1/users/me`)
  await reply.body?.cancel()
  t.equal(reply.headers.get('content-security-policy'), "default-src 'none'; frame-ancestors 'none'")
})

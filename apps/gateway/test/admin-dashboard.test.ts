import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { startGateway, testEnv } from './helpers.ts'

// The build in dist/ (under a folder named assets, which must not make index.html immutable), and
// files beside it that must stay out of reach.
const parent = await mkdtemp(join(tmpdir(), 'admin-dashboard-'))
t.teardown(() => rm(parent, { recursive: true, force: true }))
const files = join(parent, 'assets', 'dist')
await mkdir(join(files, 'assets'), { recursive: true })
await writeFile(join(parent, 'assets', 'secret.txt'), 'kept-out-of-reach')
await writeFile(join(files, '.env'), 'KEPT=out-of-reach')
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
  for (const path of [
    '/admin/missing.js',
    '/admin/..%2fsecret.txt',
    '/admin/%2e%2e/secret.txt',
    '/admin/assets/..%2f..%2fsecret.txt',
    '/admin/.env',
  ]) {
    const reply = await fetch(`${url}${path}`)
    t.ok(reply.status === 403 || reply.status === 404, `${path}: refused (${reply.status})`)
    t.notMatch(await reply.text(), /out-of-reach/)
  }
})

t.test("the API's answers keep their own policy", async (t) => {
  const reply = await fetch(`${url}/api/v1/users/me`)
  await reply.body?.cancel()
  t.equal(reply.headers.get('content-security-policy'), "default-src 'none'; frame-ancestors 'none'")
})

import { readFile } from 'node:fs/promises'
import { createSuiteClient } from '@otp-suite/client'
import { signInByPhone } from '@otp-suite/testing'
import t, { type Test } from 'tap'
import { launchBrowser, startTestSuite } from './test-suite.ts'

// The link user-service mails to confirm an address, opened in a real browser (Debian's Chromium,
// headless) on the gateway of the suite as `pnpm start` runs it.
const { gateway, outbox } = await startTestSuite(t, { name: 'confirm', portBase: 13_000 })
const browser = await launchBrowser(t)

/** A signed-in user who asked for a link to `email`, and that link as mailed. */
async function linkMailedFor(t: Test, phone: string, email: string) {
  const app = createSuiteClient({ baseUrl: gateway })
  await signInByPhone(app, outbox, phone)
  t.equal((await app.api.POST('/api/v1/users/me/email/verification', { body: { email } })).response.status, 202)
  const lines = (await readFile(outbox, 'utf8')).trim().split('\n')
  const mailed = lines.map((line) => JSON.parse(line) as { to: string; link?: string }).filter((line) => line.to === email)
  return { app, link: mailed.at(-1)?.link as string }
}

t.test('the mailed link opens a page that confirms the address when its button is pressed, not before', async (t) => {
  const { app, link } = await linkMailedFor(t, '+14155550801', 'ada@example.com')
  t.match(link, /^http:\/\/127\.0\.0\.1:\d+\/verify-email#token=[\w.-]+$/, 'the token after #, which no server log sees')
  const context = await browser.newContext()
  t.teardown(() => context.close())
  const page = await context.newPage()
  const problems: string[] = []
  page.on('pageerror', (error) => problems.push(error.message))
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text())
  })
  await page.goto(link)
  const button = page.getByRole('button', { name: 'Confirm this address' })
  await button.waitFor()
  t.equal(new URL(page.url()).hash, '', 'the token left the address bar')
  t.match((await app.api.GET('/api/v1/users/me')).data, { emailVerified: false }, 'opening the link confirms nothing')

  await button.click()
  await page.getByText('Your email address is confirmed.').waitFor()
  t.match((await app.api.GET('/api/v1/users/me')).data, { email: 'ada@example.com', emailVerified: true })
  t.same(problems, [], 'no script error, nothing the page’s policy refused')

  // The same link again, in another tab: the service's refusal, shown as it says it.
  const again = await context.newPage()
  await again.goto(link)
  await again.getByRole('button', { name: 'Confirm this address' }).click()
  await again.getByText(/link/i).and(again.locator('#status')).waitFor()
  t.notMatch(await again.locator('#status').textContent(), /confirmed\./, 'a spent link confirms nothing')
  t.ok(await again.getByRole('button', { name: 'Confirm this address' }).isHidden(), 'and offers no retry')
})

t.test('an answer that may come right next time (a service down) leaves the button to try again', async (t) => {
  const { app, link } = await linkMailedFor(t, '+14155550802', 'grace@example.com')
  const context = await browser.newContext()
  t.teardown(() => context.close())
  const page = await context.newPage()
  const outage = { statusCode: 503, code: 'UPSTREAM_UNAVAILABLE', error: 'Service Unavailable', message: 'user-service is unavailable' }
  await page.route('**/api/v1/users/email/verify', (route) => route.fulfill({ status: 503, json: outage }))
  await page.goto(link)
  const button = page.getByRole('button', { name: 'Confirm this address' })
  await button.click()
  await page.getByText('The address could not be confirmed just now. Try again in a moment.').waitFor()
  t.ok(await button.isEnabled(), 'the button is there again')
  await page.unroute('**/api/v1/users/email/verify')
  await button.click()
  await page.getByText('Your email address is confirmed.').waitFor()
  t.match((await app.api.GET('/api/v1/users/me')).data, { email: 'grace@example.com', emailVerified: true })
})

t.test('the page without a token says so, and is served under a policy of its own script only', async (t) => {
  const page = await fetch(`${gateway}/verify-email`)
  t.equal(page.status, 200)
  t.match(page.headers.get('content-type'), /^text\/html/)
  t.match(page.headers.get('content-security-policy'), /default-src 'none'; script-src 'self'; connect-src 'self'.*frame-ancestors 'none'/)
  t.equal(page.headers.get('cache-control'), 'no-store')
  const context = await browser.newContext()
  t.teardown(() => context.close())
  const tab = await context.newPage()
  await tab.goto(`${gateway}/verify-email`)
  await tab.getByText('This link has no token').waitFor()
  t.ok(await tab.getByRole('button').isHidden(), 'nothing to press')
})

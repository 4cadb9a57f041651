import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { createSuiteClient } from '@otp-suite/client'
import { lastCode, signInByPhone, until } from '@otp-suite/testing'
import type { BrowserContext, Page } from 'playwright-core'
import t, { type Test } from 'tap'
import { launchBrowser, startTestSuite } from './test-suite.ts'

// The admin dashboard in a real browser (Debian's Chromium, headless), served by the gateway of
// the suite as `pnpm start` runs it. Screenshots of each page go to test-output/admin-dashboard.
const screenshots = new URL('../../test-output/admin-dashboard/', import.meta.url).pathname
await mkdir(screenshots, { recursive: true })
const admin = '+14155550990'
const { suite, gateway, outbox } = await startTestSuite(t, {
  name: 'dashboard',
  portBase: 11_000,
  env: {
    ADMIN_BOOTSTRAP: admin,
    // The admin signs in more than once within the resend cooldown.
    OTP_RESEND_COOLDOWN_SECONDS: '0',
    // Figures older than a second are loaded again, so a service that goes down shows at once.
    ADMIN_CACHE_TTL_METRICS: '1',
  },
})
const browser = await launchBrowser(t)

const desktop = { width: 1280, height: 860 }
const phoneWidth = { width: 390, height: 844 }

/** A fresh browser profile on the dashboard; what the page does wrong (uncaught errors, blocked by the policy) is collected. */
async function openDashboard(t: Test, viewport = desktop) {
  const context: BrowserContext = await browser.newContext({ viewport })
  const page = await context.newPage()
  // What the page showed when something failed, for whoever reads the failure.
  t.teardown(async () => {
    if (!t.passing()) await page.screenshot({ path: join(screenshots, `failed-${t.name.replace(/\W+/g, '-')}.png`) }).catch(() => {})
    await context.close()
  })
  const problems: string[] = []
  page.on('pageerror', (error) => problems.push(error.message))
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy|Refused to/.test(message.text())) problems.push(message.text())
  })
  await page.goto(`${gateway}/admin/`)
  return { page, context, problems }
}

const shot = (page: Page, name: string) => page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true })

/** Signs in on the page as a person does: the phone, the code from the outbox, Enter. */
async function signInOnPage(page: Page, phone: string) {
  const before = await lastCode(outbox, phone).catch(() => undefined)
  await page.getByLabel('Phone number (with country code)').fill(phone)
  await page.getByRole('button', { name: 'Send code' }).click()
  const code = page.getByLabel('Code', { exact: true })
  await code.waitFor()
  let sent: string | undefined
  await until(async () => {
    sent = await lastCode(outbox, phone).catch(() => undefined)
    return sent !== undefined && sent !== before
  }, 5000)
  await code.fill(sent as string)
  await code.press('Enter')
}

const target = '+14155550991'
const targetSession = createSuiteClient({ baseUrl: gateway })
await signInByPhone(targetSession, outbox, target)

t.test('an admin signs in, reads the overview, bans a user and sees it in the audit log', async (t) => {
  const { page, context, problems } = await openDashboard(t)
  await shot(page, '1-sign-in')
  const tokens = new Set<string>()
  const refreshTokens: string[] = []
  page.on('request', (request) => {
    const authorization = request.headers().authorization
    if (authorization) tokens.add(authorization)
  })
  page.on('response', async (response) => {
    if (response.url().endsWith('/api/v1/auth/otp/login') && response.ok()) refreshTokens.push((await response.json()).refreshToken)
  })
  await signInOnPage(page, admin)

  await page.getByRole('heading', { name: 'Overview' }).waitFor()
  await page.getByText(/^Generated \d+ s ago/).waitFor()
  const users = page.locator('.figures div', { hasText: /^Users/ }).locator('dd')
  t.ok(Number(await users.textContent()) >= 2, 'the figures are there: the admin and the user at least')
  await page.locator('.chart canvas').nth(1).waitFor()
  const drawn = await page.locator('.chart canvas').evaluateAll((canvases) =>
    canvases.map((canvas) => {
      const { width, height } = canvas as HTMLCanvasElement
      const pixels = (canvas as HTMLCanvasElement).getContext('2d')?.getImageData(0, 0, width, height).data ?? []
      let painted = 0
      for (let i = 3; i < pixels.length; i += 4) if ((pixels[i] as number) > 0) painted += 1
      return painted
    }),
  )
  t.equal(drawn.length, 2, 'two charts')
  t.ok(
    drawn.every((painted) => painted > 1000),
    `both are drawn (${drawn.join(', ')} pixels painted)`,
  )
  t.ok(await page.getByText('Sign-ins').first().isVisible(), 'with their legends')
  await shot(page, '2-overview')
  await page.getByLabel('Range').selectOption('30d')
  await page.getByText('Codes, per day').waitFor()
  await shot(page, '3-overview-30-days')

  await page.getByRole('link', { name: 'Users' }).click()
  await page.getByLabel('Search').fill(target.slice(-6))
  await page.getByRole('button', { name: 'Search' }).click()
  await page.getByRole('link', { name: target }).waitFor()
  t.equal(await page.locator('tbody tr').count(), 1, 'the search finds the one user')
  await shot(page, '4-users')

  await page.getByRole('link', { name: target }).click()
  await page.getByRole('heading', { name: target }).waitFor()
  await page.getByLabel('Reason for the ban').fill('Sent spam')
  await page.getByRole('button', { name: 'Ban…' }).click()
  const dialog = page.getByRole('dialog')
  await dialog.waitFor()
  t.match(await dialog.textContent(), /Reason: Sent spam/, 'the ban is confirmed first, with its reason')
  await shot(page, '5-ban-confirm')
  await dialog.getByRole('button', { name: 'Ban', exact: true }).click()
  await page
    .getByRole('status')
    .filter({ hasText: `${target} is banned.` })
    .waitFor()
  t.equal(await page.locator('.details dd.banned').textContent(), 'banned', 'the result is visible at once')
  await shot(page, '6-user-banned')

  t.equal((await targetSession.api.GET('/api/v1/users/me')).response.status, 401, 'the banned user is refused by the API')
  const refused = async () => (await targetSession.sendCode({ channel: 'sms', to: target, purpose: 'login' })).response.status === 403
  t.ok(await until(refused, 5000, 100), 'and gets no more codes')

  await page.getByRole('button', { name: 'Unban…' }).click()
  await page.getByRole('dialog').getByRole('button', { name: 'Unban', exact: true }).click()
  await page
    .getByRole('status')
    .filter({ hasText: `${target} is no longer banned.` })
    .waitFor()
  t.equal(await page.locator('.details dd.active').textContent(), 'active')

  await page.getByRole('link', { name: 'Audit log' }).click()
  const row = page.locator('tbody tr', { hasText: 'user.ban' }).first()
  await row.waitFor()
  t.match(await row.textContent(), /Sent spam/, 'the audit row says what was done, to whom and why')
  t.match(await page.locator('tbody tr').first().textContent(), /user\.unban/, 'newest first')
  await shot(page, '7-audit-log')

  await page.setViewportSize(phoneWidth)
  await page.getByRole('link', { name: 'Overview' }).click()
  await page.locator('.chart canvas').nth(1).waitFor()
  t.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'nothing runs off the side at phone width')
  await shot(page, '8-overview-phone')

  t.same(await page.evaluate(() => [localStorage.length, sessionStorage.length]), [0, 0], 'no token in storage')
  t.same(await context.cookies(), [], 'nor in cookies')
  t.ok(tokens.size > 0, 'the page sent its access token with its requests')
  await page.getByRole('button', { name: 'Sign out' }).click()
  await page.getByRole('heading', { name: 'Admin sign-in' }).waitFor()
  for (const authorization of tokens) {
    const after = await fetch(`${gateway}/api/v1/users/me`, { headers: { authorization } })
    t.equal(after.status, 401, 'signing out really ends the session: its token is refused')
  }
  t.equal(refreshTokens.length, 1)
  const renewed = await targetSession.api.POST('/api/v1/auth/refresh', { body: { refreshToken: refreshTokens[0] as string } })
  t.equal(renewed.response.status, 401, 'and so is its refresh token')
  t.same(problems, [], 'no error on the page, nothing blocked by its policy')
})

t.test('someone who is not an admin is told so, and sees nothing', async (t) => {
  const { page, problems } = await openDashboard(t, phoneWidth)
  await signInOnPage(page, '+14155550992')
  await page.getByRole('heading', { name: 'Not an admin' }).waitFor()
  t.equal(await page.getByRole('link', { name: 'Users' }).count(), 0)
  await shot(page, '9-not-an-admin')
  t.same(problems, [])
})

t.test('a service that is down: the last figures, marked with their age; then a clear error', async (t) => {
  const { page, problems } = await openDashboard(t)
  await signInOnPage(page, admin)
  await page.getByText(/^Generated \d+ s ago/).waitFor()
  const stop = async (name: string) => {
    for (const entry of suite.processes.filter((process: { name: string }) => process.name === name)) {
      entry.child.kill('SIGKILL')
      await new Promise((resolve) => entry.child.once('exit', resolve))
    }
  }
  await stop('otp-service')
  await new Promise((resolve) => setTimeout(resolve, 1500))
  await page.getByRole('button', { name: 'Refresh' }).click()
  await page
    .getByText(/^Figures from \d+ s ago: a service is not answering/)
    .first()
    .waitFor()
  await shot(page, '10-overview-stale')

  await stop('admin-service')
  await page.getByRole('button', { name: 'Refresh' }).click()
  await page.getByText('A service is not answering right now.', { exact: false }).first().waitFor()
  t.ok(await page.getByRole('button', { name: 'Try again' }).first().isVisible(), 'with a way to try again')
  await shot(page, '11-overview-down')
  t.same(problems, [])
})

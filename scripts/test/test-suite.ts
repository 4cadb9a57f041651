import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { dropDatabase } from '@otp-suite/db/tooling'
import { chromium } from 'playwright-core'
import type { Test } from 'tap'
import { startSuite } from '../lib/suite.mjs'

/**
 * The whole suite as `pnpm start` runs it (from sources), on fresh databases named after `name`
 * on the real PostgreSQL, with its data folder (secrets, outbox) in a temporary one: all of it
 * stopped, dropped and removed when `t` ends. `portBase` keeps the tests' ports apart, below the
 * ephemeral ports (32768 and up) where the kernel picks clients' ports.
 */
export async function startTestSuite(
  t: Test,
  { name, portBase, instances = 1, env = {} }: { name: string; portBase: number; instances?: number; env?: Record<string, string> },
) {
  const dataDir = await mkdtemp(join(tmpdir(), `${name}-`))
  const logs: string[] = []
  const suite = await startSuite({
    instances,
    fromSources: true,
    dataDir,
    databasePrefix: `${name}_${process.pid}_`,
    portOffset: portBase + (process.pid % 100) * 100,
    env: {
      ...process.env,
      DATABASE_SERVER_URL: process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'warn',
      ...env,
    },
    log: (line: string) => logs.push(line),
  })
  t.teardown(async () => {
    await suite.stop()
    await Promise.all(Object.values(suite.databaseUrls as Record<string, string>).map((url) => dropDatabase(url)))
    await rm(dataDir, { recursive: true, force: true })
  })
  return { suite, gateway: suite.gatewayUrl as string, dataDir, outbox: join(dataDir, 'outbox.jsonl'), logs }
}

/** Debian's Chromium, headless, closed when `t` ends. */
export async function launchBrowser(t: Test) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    // Root needs --no-sandbox; the rest keeps Chromium off a network this machine does not have.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
  t.teardown(() => browser.close())
  return browser
}

import { cp, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { createTestDatabase } from '@otp-suite/db/testing'
import { applyMigrations } from '@otp-suite/db/tooling'
import t from 'tap'
import { buildOtpService, lastCode, migrationsDir, post, testEnv } from './helpers.ts'

t.test('a database migrated before batching upgrades in place, and then sends and verifies', async (t) => {
  // The migrations as they stood before the batch functions: everything older than *_otp_batches.
  const batches = (await readdir(migrationsDir)).find((name) => name.endsWith('_otp_batches')) as string
  const before = t.testdir()
  for (const name of await readdir(migrationsDir)) {
    if (name < batches) await cp(join(migrationsDir, name), join(before, name), { recursive: true })
  }
  const database = await createTestDatabase({ migrationsDir: before, prefix: 'otp_upgrade' })
  t.teardown(() => database.drop())

  await applyMigrations({ databaseUrl: database.url, migrationsDir })
  const env = testEnv(database.url)
  const app = await buildOtpService(t, env)
  const target = { channel: 'sms', to: '+14155550123', purpose: 'login' }
  t.equal((await post(app, 'send', target)).statusCode, 202)
  t.equal((await post(app, 'verify', { ...target, code: await lastCode(env, target.to) })).statusCode, 200)
})

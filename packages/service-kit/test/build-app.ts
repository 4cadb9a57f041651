import type { Test } from 'tap'
import { createServer, type ServerSettings, type ServiceKitOptions, serviceKit } from '../index.ts'

/** A service with the kit and nothing else; routes are added by each test. Closed when the test ends. */
export async function buildApp(t: Test, options: Partial<ServiceKitOptions> = {}, settings: Partial<ServerSettings> = {}) {
  const app = createServer({ LOG_LEVEL: 'silent', TRUSTED_PROXIES: '', BODY_LIMIT_BYTES: 1024, ...settings })
  await app.register(serviceKit, { service: 'test-service', version: '1.2.3', ...options })
  t.teardown(() => app.close())
  return app
}

import type { Test } from 'tap'
import { createServer, type ServiceKitOptions, serviceKit } from '../index.ts'

/** A service with the kit and nothing else; routes are added by each test. Closed when the test ends. */
export async function buildApp(t: Test, options: Partial<ServiceKitOptions> = {}) {
  const app = createServer({ LOG_LEVEL: 'silent', TRUST_PROXY_HOPS: 1, BODY_LIMIT_BYTES: 1024 })
  await app.register(serviceKit, { service: 'test-service', version: '1.2.3', ...options })
  t.teardown(() => app.close())
  return app
}

import { createDatabase, databaseOptions, isDatabaseUnavailable } from '@otp-suite/db'
import { jwtPlugin, securitySchemes, serviceAuthorization, tokenServiceFromConfig } from '@otp-suite/jwt'
import { appVersion, listOf, serviceKit } from '@otp-suite/service-kit'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { createAdminGuard } from './admin-guard.ts'
import { createAuditLog } from './audit/audit-log.ts'
import { listenForInvalidations } from './cache/invalidation.ts'
import { createResponseCache } from './cache/response-cache.ts'
import type { AdminServiceConfig } from './config.ts'
import { createDashboard } from './dashboard.ts'
import { PrismaClient } from './generated/prisma/client.ts'
import { adminRoutes } from './routes/admin.ts'
import { createUpstream } from './upstream/upstream.ts'

const description = 'Dashboard metrics and user administration for admins, behind an in-memory cache every instance keeps fresh'

/** admin-service as a plugin: the server and the tests register exactly this. */
async function adminServiceApp(app: FastifyInstance, { config }: { config: AdminServiceConfig }) {
  const tokens = tokenServiceFromConfig(config)
  const database = createDatabase(databaseOptions(config, 'admin-service'), (adapter) => new PrismaClient({ adapter }))
  await app.register(serviceKit, {
    service: 'admin-service',
    version: appVersion(import.meta.url),
    description,
    tags: [{ name: 'admin', description: 'The admin dashboard: figures, users, bans and the audit log; admins only' }],
    securitySchemes,
    checks: { database: database.ping },
    isUnavailable: isDatabaseUnavailable,
  })

  const authorization = serviceAuthorization(tokens, 'admin-service')
  const upstream = (name: string, urls: string) =>
    createUpstream({
      name,
      urls: listOf(urls),
      authorization,
      timeoutMs: config.UPSTREAM_TIMEOUT_MS,
      connections: config.UPSTREAM_CONNECTIONS,
    })
  const otpService = upstream('otp-service', config.OTP_SERVICE_URL)
  const userService = upstream('user-service', config.USER_SERVICE_URL)

  const cache = createResponseCache({
    maxEntries: config.ADMIN_CACHE_MAX_ENTRIES,
    maxBytes: config.ADMIN_CACHE_MAX_BYTES,
    maxStaleSeconds: config.ADMIN_CACHE_MAX_STALE,
    registry: app.metricsRegistry,
  })
  const invalidations = listenForInvalidations({
    databaseUrl: config.DATABASE_URL,
    onInvalidate: (prefixes) => cache.invalidate(prefixes),
    onGap: () => cache.clear(),
    log: app.log,
    registry: app.metricsRegistry,
  })
  const audit = createAuditLog({ prisma: database.prisma, log: app.log })
  const dashboard = createDashboard({
    otpService,
    userService,
    cache,
    audit,
    ttl: { metricsSeconds: config.ADMIN_CACHE_TTL_METRICS, usersSeconds: config.ADMIN_CACHE_TTL_USERS },
  })

  const guard = createAdminGuard(userService, config.REVOKED_TOKEN_CACHE_SIZE)
  app.decorateRequest('adminId', null)
  await app.register(jwtPlugin, { tokens, isRevoked: guard.isRevoked })
  await app.register(adminRoutes, { dashboard, audit, requireAdmin: guard.requireAdmin })

  // Caching starts once listening does, so nothing cached misses a notice (nor is dropped at connect).
  app.addHook('onReady', () => invalidations.firstAttempt)
  app.addHook('onClose', async () => {
    await invalidations.close()
    await Promise.all([otpService.close(), userService.close()])
    await database.close()
  })
}

export default fp(adminServiceApp, { name: 'admin-service', fastify: '5.x' })

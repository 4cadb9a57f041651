import { batchOptions, createDatabase, databaseOptions, isDatabaseUnavailable } from '@otp-suite/db'
import { jwtPlugin, securitySchemes, tokenServiceFromConfig } from '@otp-suite/jwt'
import { appVersion, serviceKit } from '@otp-suite/service-kit'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { OtpServiceConfig } from './config.ts'
import { createSenders } from './delivery/index.ts'
import { PrismaClient } from './generated/prisma/client.ts'
import { createBlockedDestinations } from './otp/blocked-destinations.ts'
import { createMaintenance } from './otp/maintenance.ts'
import { createOtpMetrics } from './otp/metrics.ts'
import { createOtpService } from './otp/otp-service.ts'
import { createStatsRecorder } from './otp/stats-recorder.ts'
import { createOtpStore } from './otp/store.ts'
import { internalRoutes } from './routes/internal.ts'
import { otpRoutes } from './routes/otp.ts'

/** otp-service as a plugin: the server and the tests register exactly this. */
async function otpServiceApp(app: FastifyInstance, { config }: { config: OtpServiceConfig }) {
  const database = createDatabase(databaseOptions(config, 'otp-service'), (adapter) => new PrismaClient({ adapter }))
  const senders = createSenders(config, app.log)

  await app.register(serviceKit, {
    service: 'otp-service',
    version: appVersion(import.meta.url),
    description: 'Issues, delivers and verifies one-time passwords',
    tags: [
      { name: 'otp', description: 'Send a code by SMS or email, and verify it once' },
      { name: 'internal', description: 'For the other services of the suite; the gateway does not expose these' },
    ],
    securitySchemes,
    checks: { database: database.ping },
    isUnavailable: isDatabaseUnavailable,
  })
  const tokens = tokenServiceFromConfig(config)
  await app.register(jwtPlugin, { tokens })

  const metrics = createOtpMetrics(app.metricsRegistry)
  const store = createOtpStore(
    database.pool,
    {
      ttlSeconds: config.OTP_TTL_SECONDS,
      maxAttempts: config.OTP_MAX_ATTEMPTS,
      cooldownSeconds: config.OTP_RESEND_COOLDOWN_SECONDS,
      windowSeconds: config.OTP_SEND_WINDOW_SECONDS,
      windowMax: config.OTP_SEND_WINDOW_MAX,
      dailyMax: config.OTP_SEND_DAILY_MAX,
      ipWindowSeconds: config.OTP_IP_WINDOW_SECONDS,
      ipMax: config.OTP_IP_MAX,
      ipFailureWindowSeconds: config.OTP_VERIFY_IP_WINDOW_SECONDS,
      ipFailureMax: config.OTP_VERIFY_IP_MAX,
    },
    { ...batchOptions(config), batchSizes: metrics.batchSizes },
  )
  const stats = createStatsRecorder(database.pool, app.log)
  const otp = createOtpService({ config, store, senders, tokens, metrics, stats, log: app.log })
  const maintenance = createMaintenance(database, {
    batchSize: config.OTP_CLEANUP_BATCH_SIZE,
    clientWindowSeconds: Math.max(config.OTP_IP_WINDOW_SECONDS, config.OTP_VERIFY_IP_WINDOW_SECONDS),
  })
  const blockedDestinations = createBlockedDestinations(database.prisma, {
    defaultRegion: config.OTP_DEFAULT_REGION,
    validation: config.OTP_PHONE_VALIDATION,
  })

  await app.register(otpRoutes, { otp, codeLength: config.OTP_LENGTH })
  await app.register(internalRoutes, { maintenance, stats, blockedDestinations })

  app.scheduleJob({
    name: 'otp-stats-flush',
    everySeconds: config.OTP_STATS_FLUSH_SECONDS,
    run: async () => {
      await stats.flush()
    },
  })
  app.scheduleJob({ name: 'otp-cleanup', everySeconds: config.OTP_CLEANUP_INTERVAL_SECONDS, run: maintenance.cleanUp })
  // Jobs stop before these hooks run (preClose), so nothing uses the database once it is closed.
  app.addHook('onClose', async () => {
    await stats.flush().catch(() => {})
    await Promise.all(Object.values(senders).map((sender) => sender.close?.()))
    await database.close()
  })
}

export default fp(otpServiceApp, { name: 'otp-service', fastify: '5.x' })

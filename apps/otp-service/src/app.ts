import { pingDatabase } from '@otp-suite/db'
import { createTokenService, jwtPlugin } from '@otp-suite/jwt'
import { serviceKit } from '@otp-suite/service-kit'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { OtpServiceConfig } from './config.ts'
import { createSenders } from './delivery/index.ts'
import { createMaintenance } from './otp/maintenance.ts'
import { createOtpMetrics } from './otp/metrics.ts'
import { createOtpService } from './otp/otp-service.ts'
import { createOtpStore } from './otp/store.ts'
import { createDatabase } from './plugins/database.ts'
import { internalRoutes } from './routes/internal.ts'
import { otpRoutes } from './routes/otp.ts'

const version = '0.1.0'

/** otp-service as a plugin: the server and the tests register exactly this. */
async function otpServiceApp(app: FastifyInstance, { config }: { config: OtpServiceConfig }) {
  const database = createDatabase({ url: config.DATABASE_URL, poolMax: config.DATABASE_POOL_MAX })
  const senders = createSenders(config, app.log)
  app.addHook('onClose', async () => {
    await Promise.all(Object.values(senders).map((sender) => sender.close?.()))
    await database.close()
  })

  await app.register(serviceKit, {
    service: 'otp-service',
    version,
    description: 'Issues, delivers and verifies one-time passwords',
    checks: { database: () => pingDatabase(database.pool) },
  })
  const tokens = createTokenService({
    secret: config.JWT_SECRET,
    previousSecrets: config.JWT_PREVIOUS_SECRETS?.split(',').filter(Boolean),
    issuer: config.JWT_ISSUER,
    production: config.NODE_ENV === 'production',
  })
  await app.register(jwtPlugin, { tokens })

  const store = createOtpStore(database.pool, {
    cooldownSeconds: config.OTP_RESEND_COOLDOWN_SECONDS,
    windowSeconds: config.OTP_SEND_WINDOW_SECONDS,
    windowMax: config.OTP_SEND_WINDOW_MAX,
    dailyMax: config.OTP_SEND_DAILY_MAX,
    ipWindowSeconds: config.OTP_IP_WINDOW_SECONDS,
    ipMax: config.OTP_IP_MAX,
  })
  const metrics = createOtpMetrics(app.metricsRegistry)
  const otp = createOtpService({ config, store, senders, tokens, metrics, log: app.log })
  const maintenance = createMaintenance(database.prisma, {
    batchSize: config.OTP_CLEANUP_BATCH_SIZE,
    failureWindowSeconds: config.OTP_VERIFY_FAILURE_WINDOW_SECONDS,
  })

  await app.register(otpRoutes, { otp, codeLength: config.OTP_LENGTH })
  await app.register(internalRoutes, { maintenance })

  if (config.OTP_CLEANUP_INTERVAL_SECONDS > 0) {
    const timer = setInterval(() => {
      maintenance.cleanUp().then(
        (handled) => app.log.info({ handled }, 'OTP cleanup done'),
        (error) => app.log.warn({ err: error }, 'OTP cleanup failed; next run will retry'),
      )
    }, config.OTP_CLEANUP_INTERVAL_SECONDS * 1000)
    timer.unref()
    app.addHook('onClose', async () => clearInterval(timer))
  }
}

export default fp(otpServiceApp, { name: 'otp-service', fastify: '5.x' })

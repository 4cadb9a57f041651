import { batchOptions, createDatabase, databaseOptions, isDatabaseUnavailable } from '@otp-suite/db'
import { createEmailSender } from '@otp-suite/delivery'
import { identifyDestination } from '@otp-suite/destination'
import { jwtPlugin, securitySchemes, tokenServiceFromConfig } from '@otp-suite/jwt'
import { appVersion, listOf, serviceKit } from '@otp-suite/service-kit'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { UserServiceConfig } from './config.ts'
import { PrismaClient, type User } from './generated/prisma/client.ts'
import { createCleanup } from './maintenance.ts'
import { authRoutes } from './routes/auth.ts'
import { internalRoutes } from './routes/internal.ts'
import { meRoutes } from './routes/me.ts'
import { createSessionStore } from './sessions/session-store.ts'
import { createSignIn } from './sessions/sign-in.ts'
import { createContacts } from './users/contacts.ts'
import { createDestinationBlocks } from './users/destination-blocks.ts'
import { createUserStats } from './users/stats.ts'
import { createUsers } from './users/users.ts'

declare module 'fastify' {
  interface FastifyRequest {
    /** The user of a live access token, read by its revocation check. */
    currentUser: User | null
  }
}

/** `ADMIN_BOOTSTRAP` normalized as the proofs' subjects are. */
function adminBootstrap(config: UserServiceConfig): ReadonlySet<string> {
  const entries = config.ADMIN_BOOTSTRAP.split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
  const phones = { defaultRegion: config.OTP_DEFAULT_REGION, validation: 'possible' as const }
  try {
    return new Set(entries.map((entry) => identifyDestination(entry, phones).destination))
  } catch (error) {
    throw new Error(`Invalid configuration: ADMIN_BOOTSTRAP: ${(error as Error).message}`)
  }
}

/** user-service as a plugin: the server and the tests register exactly this. */
async function userServiceApp(app: FastifyInstance, { config }: { config: UserServiceConfig }) {
  const bootstrap = adminBootstrap(config)
  const tokens = tokenServiceFromConfig(config)
  const database = createDatabase(databaseOptions(config, 'user-service'), (adapter) => new PrismaClient({ adapter }))

  await app.register(serviceKit, {
    service: 'user-service',
    version: appVersion(import.meta.url),
    description: 'Users, sessions from verified codes, and a logout blacklist every service honours at once',
    tags: [
      { name: 'auth', description: 'Sign in with a verified code, refresh, log out' },
      { name: 'users', description: 'The signed-in user: profile, phone and email' },
      { name: 'internal', description: 'For the other services of the suite; the gateway does not expose these' },
    ],
    securitySchemes,
    checks: { database: database.ping },
    isUnavailable: isDatabaseUnavailable,
  })

  const stats = createUserStats(database.pool, app.log)
  const batching = batchOptions(config)
  const sessions = createSessionStore({
    prisma: database.prisma,
    pool: database.pool,
    tokens,
    accessTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
    refreshTtlSeconds: config.REFRESH_TOKEN_TTL_SECONDS,
    reuseGraceSeconds: config.REFRESH_REUSE_GRACE_SECONDS,
    batching,
    stats,
  })
  app.decorateRequest('currentUser', null)
  await app.register(jwtPlugin, {
    tokens,
    isRevoked: async (claims, request) => {
      request.currentUser = await sessions.authenticate(claims)
      return request.currentUser === null
    },
  })

  const blocks = createDestinationBlocks({
    prisma: database.prisma,
    tokens,
    otpServiceUrls: listOf(config.OTP_SERVICE_URL),
    timeoutMs: config.OTP_SERVICE_TIMEOUT_MS,
    log: app.log,
  })
  const users = createUsers(database.prisma, sessions, blocks)
  const mailer = createEmailSender(config, app.log)
  const contacts = createContacts({
    prisma: database.prisma,
    tokens,
    mailer,
    verifyUrl: config.EMAIL_VERIFY_URL,
    subject: config.EMAIL_VERIFY_SUBJECT,
    hourlyLinks: config.EMAIL_VERIFY_HOURLY_MAX,
  })
  const signIn = createSignIn({
    pool: database.pool,
    tokens,
    adminBootstrap: bootstrap,
    stats,
    batching,
    accessTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
    refreshTtlSeconds: config.REFRESH_TOKEN_TTL_SECONDS,
  })
  await app.register(authRoutes, { signIn, sessions })
  await app.register(meRoutes, { users, contacts })
  await app.register(internalRoutes, { users, sessions, tokens, stats })

  app.scheduleJob({
    name: 'user-cleanup',
    everySeconds: config.USER_CLEANUP_INTERVAL_SECONDS,
    run: createCleanup(database, config.USER_CLEANUP_BATCH_SIZE),
  })
  app.scheduleJob({
    name: 'user-stats-flush',
    everySeconds: config.USER_STATS_FLUSH_SECONDS,
    run: async () => {
      await stats.flush()
    },
  })
  app.scheduleJob({
    name: 'destination-blocks',
    everySeconds: config.DESTINATION_BLOCK_RETRY_SECONDS,
    // Logged only when something was sent: most runs find the queue empty.
    run: async () => (await blocks.flush()) || undefined,
  })
  // Jobs stop before these hooks run (preClose), so nothing uses the database once it is closed.
  app.addHook('onClose', async () => {
    await stats.flush().catch(() => {})
    await mailer.close?.()
    await database.close()
  })
}

export default fp(userServiceApp, { name: 'user-service', fastify: '5.x' })

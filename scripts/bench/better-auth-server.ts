// Better Auth, the library a TypeScript team would pick instead of the suite, set up as its docs
// suggest: its phoneNumber plugin on PostgreSQL (`pg` pool), users signed up on verification, the
// rate limits kept in the database (so that they hold across instances, as the suite's do), client
// addresses read from X-Forwarded-For behind a proxy, and mounted in Fastify as its Fastify guide
// writes. Codes go out through the same outbox as the suite's, so the comparison is about the rest.
// Only here to be measured against.
import { outboxSender } from '@otp-suite/delivery/dev-senders'
import { betterAuth } from 'better-auth'
import { getMigrations } from 'better-auth/db/migration'
import { fromNodeHeaders } from 'better-auth/node'
import { phoneNumber } from 'better-auth/plugins'
import Fastify from 'fastify'
import pg from 'pg'

const outbox = outboxSender(process.env.OTP_OUTBOX_FILE as string)
const auth = betterAuth({
  secret: process.env.BETTER_AUTH_SECRET,
  baseURL: `http://127.0.0.1:${process.env.PORT}`,
  database: new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 }),
  rateLimit: { enabled: true, storage: 'database' },
  advanced: { ipAddress: { ipAddressHeaders: ['x-forwarded-for'] } },
  telemetry: { enabled: false },
  plugins: [
    phoneNumber({
      sendOTP: ({ phoneNumber: to, code }) =>
        outbox.send({ channel: 'sms', to, subject: '', text: '', record: { purpose: 'login', code } }),
      signUpOnVerification: { getTempEmail: (phone) => `${phone.slice(1)}@phone.invalid` },
    }),
  ],
})
await (await getMigrations(auth.options)).runMigrations()

const app = Fastify()
app.route({
  method: ['GET', 'POST'],
  url: '/api/auth/*',
  async handler(request, reply) {
    const response = await auth.handler(
      new Request(new URL(request.url, `http://${request.headers.host}`), {
        method: request.method,
        headers: fromNodeHeaders(request.headers),
        body: request.body ? JSON.stringify(request.body) : undefined,
      }),
    )
    reply.status(response.status)
    response.headers.forEach((value, key) => {
      reply.header(key, value)
    })
    return reply.send(response.body ? await response.text() : null)
  },
})
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) })

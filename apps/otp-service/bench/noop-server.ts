// The ceilings: the same routes and body validation with no work behind them, or (BENCH_LOOKUP=1)
// with the one thing any design must do per request: one indexed lookup in PostgreSQL.
import Fastify from 'fastify'
import pg from 'pg'
import { SendBody, VerifyBody } from '../src/schemas.ts'

const pool = process.env.BENCH_LOOKUP ? new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 }) : undefined
const lookup = async (to: string) => {
  await pool?.query({
    name: 'lookup',
    text: "SELECT expires_at FROM otp_codes WHERE channel = 'sms' AND destination = $1 AND purpose = 'login' AND user_type = 'live'",
    values: [to],
  })
}

const app = Fastify()
app.post('/api/v1/otp/send', { schema: { body: SendBody } }, async (request, reply) => {
  await lookup((request.body as { to: string }).to)
  return reply.code(202).send({ success: true, expiresIn: 600, resendAfter: 30 })
})
app.post('/api/v1/otp/verify', { schema: { body: VerifyBody } }, async (request) => {
  await lookup((request.body as { to: string }).to)
  return { success: true, verified: true }
})
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) })

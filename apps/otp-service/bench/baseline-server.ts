// The design of the first notes, as such code is usually written: one table, the code in plain
// text, `pg` with unnamed queries, SELECT then DELETE or UPDATE. Only here to be measured against.
import { randomInt } from 'node:crypto'
import { outboxSender } from '@otp-suite/delivery'
import Fastify from 'fastify'
import pg from 'pg'
import { SendBody, VerifyBody } from '../src/schemas.ts'

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 })
// Seed 000's table and indexes, as written there (phone_number widened to hold emails too).
await pool.query(`CREATE TABLE IF NOT EXISTS baseline_otp_codes (
  id SERIAL PRIMARY KEY, phone_number VARCHAR(254) NOT NULL, code VARCHAR(6) NOT NULL,
  attempts INTEGER DEFAULT 0, created_at TIMESTAMP DEFAULT NOW(), expires_at TIMESTAMP NOT NULL,
  UNIQUE(phone_number))`)
await pool.query('CREATE INDEX IF NOT EXISTS idx_otp_phone ON baseline_otp_codes(phone_number)')
await pool.query('CREATE INDEX IF NOT EXISTS idx_otp_expires ON baseline_otp_codes(expires_at)')

// Delivered the same way as otp-service's, so the comparison is about storing and checking codes.
const outbox = outboxSender(process.env.OTP_OUTBOX_FILE as string)
const app = Fastify()
app.post('/api/v1/otp/send', { schema: { body: SendBody } }, async (request, reply) => {
  const { to, channel, purpose } = request.body as { to: string; channel: 'sms' | 'email'; purpose: string }
  const code = String(randomInt(1_000_000)).padStart(6, '0')
  await pool.query(
    `INSERT INTO baseline_otp_codes (phone_number, code, attempts, expires_at) VALUES ($1, $2, 0, NOW() + INTERVAL '10 minutes')
     ON CONFLICT (phone_number) DO UPDATE SET code = $2, attempts = 0, expires_at = NOW() + INTERVAL '10 minutes'`,
    [to, code],
  )
  await outbox.send({ channel, to, subject: '', text: '', record: { purpose, code } })
  return reply.code(202).send({ success: true, expiresIn: 600, resendAfter: 30 })
})
app.post('/api/v1/otp/verify', { schema: { body: VerifyBody } }, async (request, reply) => {
  const { to, code } = request.body as { to: string; code: string }
  const { rows } = await pool.query('SELECT * FROM baseline_otp_codes WHERE phone_number = $1', [to])
  const stored = rows[0]
  if (!stored || stored.expires_at < new Date()) return reply.code(410).send({ code: 'OTP_EXPIRED' })
  if (stored.code !== code) {
    await pool.query('UPDATE baseline_otp_codes SET attempts = attempts + 1 WHERE id = $1', [stored.id])
    return reply.code(400).send({ code: 'OTP_INVALID' })
  }
  await pool.query('DELETE FROM baseline_otp_codes WHERE id = $1', [stored.id])
  return { success: true, verified: true }
})
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) })

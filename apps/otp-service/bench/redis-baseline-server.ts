// The design the suite replaces on the other side: codes in Redis, as seed 003 writes it (SETEX
// otp:phone:X 600, GET then DEL on verify, an INCR resend counter). Nothing of it is durable:
// Redis here keeps nothing on disk. Only here to be measured against.
import { randomInt } from 'node:crypto'
import { outboxSender } from '@otp-suite/delivery'
import Fastify from 'fastify'
import { createClient } from 'redis'
import { SendBody, VerifyBody } from '../src/schemas.ts'

const redis = await createClient({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' }).connect()
// Delivered the same way as otp-service's, so the comparison is about storing and checking codes.
const outbox = outboxSender(process.env.OTP_OUTBOX_FILE as string)
const app = Fastify()
app.post('/api/v1/otp/send', { schema: { body: SendBody } }, async (request, reply) => {
  const { to, channel, purpose } = request.body as { to: string; channel: 'sms' | 'email'; purpose: string }
  const sends = await redis.incr(`resend:${to}`)
  if (sends === 1) await redis.expire(`resend:${to}`, 300)
  const code = String(randomInt(1_000_000)).padStart(6, '0')
  await redis.setEx(`otp:phone:${to}`, 600, code)
  await outbox.send({ channel, to, subject: '', text: '', record: { purpose, code } })
  return reply.code(202).send({ success: true, expiresIn: 600, resendAfter: 30 })
})
app.post('/api/v1/otp/verify', { schema: { body: VerifyBody } }, async (request, reply) => {
  const { to, code } = request.body as { to: string; code: string }
  const stored = await redis.get(`otp:phone:${to}`)
  if (!stored) return reply.code(410).send({ code: 'OTP_EXPIRED' })
  if (stored !== code) return reply.code(400).send({ code: 'OTP_INVALID' })
  await redis.del(`otp:phone:${to}`)
  return { success: true, verified: true }
})
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) })

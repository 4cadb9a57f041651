// The ceiling: the same routes and body validation with no work behind them.
import Fastify from 'fastify'
import { SendBody, VerifyBody } from '../src/schemas.ts'

const app = Fastify()
app.post('/api/v1/otp/send', { schema: { body: SendBody } }, async (_request, reply) =>
  reply.code(202).send({ success: true, expiresIn: 600, resendAfter: 30 }),
)
app.post('/api/v1/otp/verify', { schema: { body: VerifyBody } }, async () => ({ success: true, verified: true }))
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) })

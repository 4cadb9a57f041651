import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { OtpService } from '../otp/otp-service.ts'
import { ErrorReply, SendBody, SendReply, VerifyReply, verifyBody } from '../schemas.ts'

const errorReplies = { 400: ErrorReply, 404: ErrorReply, 410: ErrorReply, 429: ErrorReply, 502: ErrorReply, 503: ErrorReply }

export const otpRoutes: FastifyPluginAsyncTypebox<{ otp: OtpService; codeLength: number }> = async (app, { otp, codeLength }) => {
  app.post(
    '/api/v1/otp/send',
    { schema: { tags: ['otp'], summary: 'Send a code', body: SendBody, response: { 202: SendReply, ...errorReplies } } },
    async (request, reply) => {
      const result = await otp.send({ userType: 'live', ...request.body }, { resend: false, clientIp: request.ip })
      return reply.code(202).send(result)
    },
  )

  app.post(
    '/api/v1/otp/resend',
    {
      schema: {
        tags: ['otp'],
        summary: 'Send a new code for a pending one',
        body: SendBody,
        response: { 202: SendReply, ...errorReplies },
      },
    },
    async (request, reply) => {
      const result = await otp.send({ userType: 'live', ...request.body }, { resend: true, clientIp: request.ip })
      return reply.code(202).send(result)
    },
  )

  app.post(
    '/api/v1/otp/verify',
    {
      schema: {
        tags: ['otp'],
        summary: 'Verify a code, once',
        body: verifyBody(codeLength),
        response: { 200: VerifyReply, ...errorReplies },
      },
    },
    async (request) => otp.verify({ userType: 'live', ...request.body }),
  )
}

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { clientAddress, ErrorReply } from '@otp-suite/service-kit'
import type { FastifyRequest } from 'fastify'
import type { OtpService } from '../otp/otp-service.ts'
import { SendBody, SendReply, VerifyReply, verifyBody } from '../schemas.ts'

const errorReplies = { 400: ErrorReply, 404: ErrorReply, 410: ErrorReply, 429: ErrorReply, 502: ErrorReply, 503: ErrorReply }
const sendErrorReplies = { ...errorReplies, 403: ErrorReply }
// Without a known address (a socket already gone) the request still counts, under one shared key.
const callerOf = (request: FastifyRequest) => ({ clientIp: clientAddress(request) ?? 'unknown', log: request.log })

export const otpRoutes: FastifyPluginAsyncTypebox<{ otp: OtpService; codeLength: number }> = async (app, { otp, codeLength }) => {
  const sends = [
    { path: '/api/v1/otp/send', resend: false, summary: 'Send a code' },
    { path: '/api/v1/otp/resend', resend: true, summary: 'Send a new code in place of a pending one' },
  ]
  for (const { path, resend, summary } of sends) {
    app.post(
      path,
      { schema: { tags: ['otp'], summary, body: SendBody, response: { 202: SendReply, ...sendErrorReplies } } },
      async (request, reply) => {
        const result = await otp.send({ userType: 'live', ...request.body }, { resend, ...callerOf(request) })
        return reply.code(202).send(result)
      },
    )
  }

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
    async (request) => otp.verify({ userType: 'live', ...request.body }, callerOf(request)),
  )
}

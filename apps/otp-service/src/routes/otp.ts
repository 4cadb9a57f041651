import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { errors as destinationErrors } from '@otp-suite/destination'
import { clientAddress, errorReplies, errors as sharedErrors } from '@otp-suite/service-kit'
import type { FastifyRequest } from 'fastify'
import { errors } from '../errors.ts'
import type { OtpService } from '../otp/otp-service.ts'
import { SendBody, SendReply, VerifyBody, VerifyReply } from '../schemas.ts'

const refusedDestination = Object.values(destinationErrors)
const sendRefusals = [
  ...refusedDestination,
  errors.DESTINATION_BLOCKED,
  errors.OTP_SEND_COOLDOWN,
  errors.OTP_SEND_LIMIT,
  errors.DELIVERY_FAILED,
]
// Without a known address (a socket already gone) the request still counts, under one shared key.
const callerOf = (request: FastifyRequest) => ({ clientIp: clientAddress(request) ?? 'unknown' })

export const otpRoutes: FastifyPluginAsyncTypebox<{ otp: OtpService; codeLength: number }> = async (app, { otp, codeLength }) => {
  const tags = ['otp']
  const sends = [
    { path: '/api/v1/otp/send', operationId: 'sendCode', resend: false, summary: 'Send a code', refusals: sendRefusals },
    {
      path: '/api/v1/otp/resend',
      operationId: 'resendCode',
      resend: true,
      summary: 'Send a new code in place of a pending one',
      refusals: [...sendRefusals, errors.OTP_NOT_FOUND],
    },
  ]
  for (const { path, operationId, resend, summary, refusals } of sends) {
    app.post(
      path,
      { schema: { operationId, tags, summary, body: SendBody, response: { 202: SendReply, ...errorReplies(...refusals) } } },
      async (request, reply) => {
        const result = await otp.send({ userType: 'live', ...request.body }, { resend, ...callerOf(request) })
        return reply.code(202).send(result)
      },
    )
  }

  const attemptsLeft = { type: 'integer', minimum: 0, description: 'With OTP_INVALID: wrong codes left before the code is locked' }
  app.post(
    '/api/v1/otp/verify',
    {
      schema: {
        operationId: 'verifyCode',
        tags,
        summary: 'Verify a code, once',
        description: 'A code that expired, was used or was never sent answers OTP_EXPIRED alike.',
        body: VerifyBody,
        response: {
          200: VerifyReply,
          ...errorReplies(
            ...refusedDestination,
            { error: errors.OTP_INVALID, details: { attemptsLeft } },
            errors.OTP_EXPIRED,
            errors.OTP_TOO_MANY_ATTEMPTS,
          ),
        },
      },
    },
    async (request) => {
      if (request.body.code.length !== codeLength) throw new sharedErrors.VALIDATION_ERROR(`body/code must be ${codeLength} digits`)
      return otp.verify({ userType: 'live', ...request.body }, callerOf(request))
    },
  )
}

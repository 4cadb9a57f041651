import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { UserSchema } from '@otp-suite/contract'
import { errors as destinationErrors } from '@otp-suite/destination'
import { errorReplies } from '@otp-suite/service-kit'
import type { FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { errors } from '../errors.ts'
import { EmailBody, EmailTokenBody, PhoneBody, ProfileBody } from '../schemas.ts'
import type { Contacts } from '../users/contacts.ts'
import { toUserReply } from '../users/user.ts'
import type { Users } from '../users/users.ts'

/** Set by the revocation check of every authenticated request, which reads the user anyway. */
export function currentUser(request: FastifyRequest) {
  if (!request.currentUser) throw new Error('currentUser read on a route without requireToken')
  return request.currentUser
}

export const meRoutes: FastifyPluginAsyncTypebox<{ users: Users; contacts: Contacts }> = async (app, { users, contacts }) => {
  const authenticated = { preValidation: app.requireToken('access') }
  const security = [{ accessToken: [] }]

  app.get(
    '/api/v1/users/me',
    {
      ...authenticated,
      schema: { operationId: 'getMe', tags: ['users'], summary: 'The signed-in user', security, response: { 200: UserSchema } },
    },
    async (request) => toUserReply(currentUser(request)),
  )

  app.patch(
    '/api/v1/users/me',
    {
      ...authenticated,
      schema: {
        operationId: 'updateMe',
        tags: ['users'],
        summary: 'Change the signed-in user’s names',
        security,
        body: ProfileBody,
        response: { 200: UserSchema },
      },
    },
    async (request) => users.updateProfile(currentUser(request).id, request.body),
  )

  app.post(
    '/api/v1/users/me/phone',
    {
      ...authenticated,
      schema: {
        operationId: 'attachPhone',
        tags: ['users'],
        summary: 'Attach a phone proved by a verify_phone code',
        security,
        body: PhoneBody,
        response: { 200: UserSchema, ...errorReplies(errors.PROOF_INVALID, errors.PHONE_TAKEN) },
      },
    },
    async (request) => contacts.attachPhone(currentUser(request), request.body.proof),
  )

  app.post(
    '/api/v1/users/me/email/verification',
    {
      ...authenticated,
      schema: {
        operationId: 'requestEmailVerification',
        tags: ['users'],
        summary: 'Mail a link that confirms an email address (24 hours)',
        security,
        body: EmailBody,
        response: {
          202: Type.Null({ description: 'Mailed' }),
          ...errorReplies(destinationErrors.INVALID_EMAIL, errors.EMAIL_TAKEN, errors.EMAIL_LINK_LIMIT, errors.DELIVERY_FAILED),
        },
      },
    },
    async (request, reply) => {
      await contacts.requestEmailVerification(currentUser(request), request.body.email)
      // An empty answer, as documented (`send(null)` would send the text "null").
      return reply.code(202).send(undefined as never)
    },
  )

  app.post(
    '/api/v1/users/email/verify',
    {
      schema: {
        operationId: 'confirmEmail',
        tags: ['users'],
        summary: 'Confirm an email address with the mailed link, once',
        body: EmailTokenBody,
        response: {
          200: Type.Object({ verified: Type.Literal(true) }, { description: 'The address is the user’s, verified' }),
          ...errorReplies(errors.LINK_EXPIRED, errors.LINK_INVALID, errors.EMAIL_TAKEN),
        },
      },
    },
    async (request) => contacts.confirmEmail(request.body.token),
  )
}

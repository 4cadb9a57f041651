import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ErrorReply } from '@otp-suite/service-kit'
import type { FastifyRequest } from 'fastify'
import { ProfileBody } from '../schemas.ts'
import { toUserReply, UserReply } from '../users/user.ts'
import type { Users } from '../users/users.ts'

/** Set by the revocation check of every authenticated request, which reads the user anyway. */
export function currentUser(request: FastifyRequest) {
  if (!request.currentUser) throw new Error('currentUser read on a route without requireToken')
  return request.currentUser
}

export const meRoutes: FastifyPluginAsyncTypebox<{ users: Users }> = async (app, { users }) => {
  const authenticated = { preHandler: app.requireToken('access') }
  const security = [{ bearer: [] }]

  app.get(
    '/api/v1/users/me',
    {
      ...authenticated,
      schema: { tags: ['users'], summary: 'The signed-in user', security, response: { 200: UserReply, 401: ErrorReply, 503: ErrorReply } },
    },
    async (request) => toUserReply(currentUser(request)),
  )

  app.patch(
    '/api/v1/users/me',
    {
      ...authenticated,
      schema: {
        tags: ['users'],
        summary: 'Change the signed-in user’s names',
        security,
        body: ProfileBody,
        response: { 200: UserReply, 400: ErrorReply, 401: ErrorReply, 503: ErrorReply },
      },
    },
    async (request) => users.updateProfile(currentUser(request).id, request.body),
  )
}

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  IntrospectReplySchema,
  UserListQuerySchema,
  UserListSchema,
  UserParamsSchema,
  UserSchema,
  UserStatsSchema,
} from '@otp-suite/contract'
import type { TokenService } from '@otp-suite/jwt'
import { ErrorReply } from '@otp-suite/service-kit'
import { AdministerBody, IntrospectBody } from '../schemas.ts'
import type { SessionStore } from '../sessions/session-store.ts'
import { toUserReply } from '../users/user.ts'
import type { Users } from '../users/users.ts'

type Options = { users: Users; sessions: SessionStore; tokens: TokenService }

/** For the other services only, behind a service token; the gateway never exposes /internal. */
export const internalRoutes: FastifyPluginAsyncTypebox<Options> = async (app, { users, sessions, tokens }) => {
  app.addHook('preHandler', app.requireToken('service'))
  const tags = ['internal']
  const security = [{ bearer: [] }]
  // Every internal route: no service token, or the database down.
  const refused = { 401: ErrorReply, 503: ErrorReply }

  app.post(
    '/internal/v1/tokens/introspect',
    {
      schema: {
        tags,
        security,
        summary: 'Whether an access token is live',
        body: IntrospectBody,
        response: { 200: IntrospectReplySchema, ...refused },
      },
    },
    async (request) => {
      let claims: ReturnType<typeof tokens.verify<'access'>>
      try {
        claims = tokens.verify('access', request.body.token)
      } catch {
        return { active: false }
      }
      const user = await sessions.authenticate(claims)
      if (!user) return { active: false }
      const { id, role, userType } = toUserReply(user)
      return { active: true, sub: id, role, userType, jti: claims.jti, exp: claims.exp }
    },
  )

  app.get(
    '/internal/v1/users',
    {
      schema: {
        tags,
        security,
        summary: 'Users, newest first, by cursor',
        querystring: UserListQuerySchema,
        response: { 200: UserListSchema, 400: ErrorReply, ...refused },
      },
    },
    async (request) => users.list(request.query),
  )

  app.get(
    '/internal/v1/users/:id',
    {
      schema: {
        tags,
        security,
        summary: 'One user',
        params: UserParamsSchema,
        response: { 200: UserSchema, 400: ErrorReply, 404: ErrorReply, ...refused },
      },
    },
    async (request) => users.get(request.params.id),
  )

  app.patch(
    '/internal/v1/users/:id',
    {
      schema: {
        tags,
        security,
        summary: 'Ban, unban or change the role of a user; a ban ends every session at once',
        params: UserParamsSchema,
        body: AdministerBody,
        response: { 200: UserSchema, 400: ErrorReply, 404: ErrorReply, ...refused },
      },
    },
    async (request) => users.administer(request.params.id, request.body),
  )

  app.get(
    '/internal/v1/stats',
    { schema: { tags, security, summary: 'Users and sessions', response: { 200: UserStatsSchema, ...refused } } },
    async () => users.stats(),
  )
}

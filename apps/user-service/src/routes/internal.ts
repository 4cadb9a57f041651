import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  IntrospectBatchBodySchema,
  IntrospectBatchReplySchema,
  type IntrospectReply,
  IntrospectReplySchema,
  SeriesQuerySchema,
  UserListQuerySchema,
  UserListSchema,
  UserParamsSchema,
  UserSchema,
  UserSeriesSchema,
  UserStatsSchema,
} from '@otp-suite/contract'
import type { TokenService } from '@otp-suite/jwt'
import { errorReplies } from '@otp-suite/service-kit'
import { errors } from '../errors.ts'
import { AdministerBody, INTROSPECT_BATCH_BODY_LIMIT, IntrospectBody } from '../schemas.ts'
import type { SessionStore } from '../sessions/session-store.ts'
import type { UserStats } from '../users/stats.ts'
import { toUserReply } from '../users/user.ts'
import type { Users } from '../users/users.ts'

type Options = { users: Users; sessions: SessionStore; tokens: TokenService; stats: UserStats }

/**
 * For the other services only, behind a service token (checked before a body is read); the gateway
 * never exposes /internal.
 */
export const internalRoutes: FastifyPluginAsyncTypebox<Options> = async (app, { users, sessions, tokens, stats }) => {
  app.addHook('onRequest', app.requireToken('service'))
  const tags = ['internal']
  const security = [{ serviceToken: [] }]

  /** Whether an access token is live: signed, unexpired, its session open and its user active. */
  async function introspect(token: string): Promise<IntrospectReply> {
    let claims: ReturnType<typeof tokens.verify<'access'>>
    try {
      claims = tokens.verify('access', token)
    } catch {
      return { active: false }
    }
    const user = await sessions.authenticate(claims)
    if (!user) return { active: false }
    const { id, role, userType } = toUserReply(user)
    return { active: true, sub: id, role, userType, jti: claims.jti, exp: claims.exp }
  }

  app.post(
    '/internal/v1/tokens/introspect',
    {
      schema: {
        operationId: 'introspectToken',
        tags,
        security,
        summary: 'Whether an access token is live',
        body: IntrospectBody,
        response: { 200: IntrospectReplySchema },
      },
    },
    (request) => introspect(request.body.token),
  )

  app.post(
    '/internal/v1/tokens/introspect/batch',
    {
      bodyLimit: INTROSPECT_BATCH_BODY_LIMIT,
      schema: {
        operationId: 'introspectTokens',
        tags,
        security,
        summary: 'Whether each of several access tokens is live',
        description:
          'The answers come in the order of the tokens, each as `/internal/v1/tokens/introspect` would give it. ' +
          'A service that checks a token on every request sends those that arrive together in one call.',
        body: IntrospectBatchBodySchema,
        response: { 200: IntrospectBatchReplySchema },
      },
    },
    async (request) => ({ results: await Promise.all(request.body.tokens.map(introspect)) }),
  )

  app.get(
    '/internal/v1/users',
    {
      schema: {
        operationId: 'internalListUsers',
        tags,
        security,
        summary: 'Users, newest first, by cursor',
        querystring: UserListQuerySchema,
        response: { 200: UserListSchema },
      },
    },
    async (request) => users.list(request.query),
  )

  app.get(
    '/internal/v1/users/:id',
    {
      schema: {
        operationId: 'internalGetUser',
        tags,
        security,
        summary: 'One user',
        params: UserParamsSchema,
        response: { 200: UserSchema, ...errorReplies(errors.USER_NOT_FOUND) },
      },
    },
    async (request) => users.get(request.params.id),
  )

  app.patch(
    '/internal/v1/users/:id',
    {
      schema: {
        operationId: 'internalAdministerUser',
        tags,
        security,
        summary: 'Ban, unban or change the role of a user; a ban ends every session at once',
        params: UserParamsSchema,
        body: AdministerBody,
        response: { 200: UserSchema, ...errorReplies(errors.USER_NOT_FOUND) },
      },
    },
    async (request) => users.administer(request.params.id, request.body),
  )

  app.get(
    '/internal/v1/stats',
    { schema: { operationId: 'userStats', tags, security, summary: 'Users and sessions', response: { 200: UserStatsSchema } } },
    async () => users.stats(),
  )

  app.get(
    '/internal/v1/stats/series',
    {
      schema: {
        operationId: 'userStatsSeries',
        tags,
        security,
        summary: 'New users, sign-ins and logouts per hour of the last 24 hours, or per day of the last 30',
        querystring: SeriesQuerySchema,
        response: { 200: UserSeriesSchema },
      },
    },
    async (request) => {
      // This instance's latest counts first; other instances' are at most one flush interval behind.
      await stats.flush()
      return stats.series(request.query.range)
    },
  )
}

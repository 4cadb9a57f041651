import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  AdminSeriesSchema,
  SeriesQuerySchema,
  UserListQuerySchema,
  UserListSchema,
  UserParamsSchema,
  UserSchema,
} from '@otp-suite/contract'
import { errorReplies } from '@otp-suite/service-kit'
import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify'
import { Type } from 'typebox'
import type { AuditLog } from '../audit/audit-log.ts'
import type { CacheOutcome } from '../cache/response-cache.ts'
import type { Dashboard } from '../dashboard.ts'
import { errors } from '../errors.ts'
import { AuditPage, AuditQuery, BanBody, InvalidateBody, MetricsReply, UnbanBody } from '../schemas.ts'

type Options = { dashboard: Dashboard; audit: AuditLog; requireAdmin: onRequestAsyncHookHandler }

/** The admin behind an authenticated request (set by the admin check every route runs). */
const adminOf = (request: FastifyRequest) => request.adminId as string

/** Sends a cached answer, saying where it came from. */
function cached<T>(reply: FastifyReply, { value, outcome }: { value: T; outcome: CacheOutcome }) {
  reply.header('x-cache', outcome)
  return value
}

/** A cached answer's schema, with the header that says where it came from. */
const cachedReply = <T extends object>(schema: T) => ({
  ...schema,
  headers: {
    'x-cache': {
      type: 'string',
      enum: ['HIT', 'MISS', 'STALE'],
      description: 'From the cache, loaded now, or the last answer served while an upstream is down',
    },
  },
})

/** The admin dashboard's API: every route needs a live access token of an admin. */
export const adminRoutes: FastifyPluginAsyncTypebox<Options> = async (app, { dashboard, audit, requireAdmin }) => {
  // Before the body is read: nobody learns anything about a route they may not call.
  app.addHook('onRequest', app.requireToken('access'))
  app.addHook('onRequest', requireAdmin)
  const tags = ['admin']
  const security = [{ accessToken: [] }]
  // Every admin route: not an admin, or user-service (which checks the token) down.
  const refused = [errors.FORBIDDEN, errors.UPSTREAM_UNAVAILABLE]

  app.get(
    '/api/v1/admin/dashboard/metrics',
    {
      schema: {
        operationId: 'getDashboardMetrics',
        tags,
        security,
        summary: 'Users, codes and sessions at a glance',
        response: { 200: cachedReply(MetricsReply), ...errorReplies(...refused) },
      },
    },
    async (_request, reply) => cached(reply, await dashboard.metrics()),
  )

  app.get(
    '/api/v1/admin/dashboard/series',
    {
      schema: {
        operationId: 'getDashboardSeries',
        tags,
        security,
        summary: 'Codes, new users and sessions over time: per hour of the last 24 hours, or per day of the last 30',
        description: 'Cached per range for as long as the metrics are.',
        querystring: SeriesQuerySchema,
        response: { 200: cachedReply(AdminSeriesSchema), ...errorReplies(...refused) },
      },
    },
    async (request, reply) => cached(reply, await dashboard.series(request.query.range)),
  )

  app.get(
    '/api/v1/admin/users',
    {
      schema: {
        operationId: 'listUsers',
        tags,
        security,
        summary: 'Users, newest first, by cursor; searched and filtered',
        querystring: UserListQuerySchema,
        response: { 200: cachedReply(UserListSchema), ...errorReplies(...refused) },
      },
    },
    async (request, reply) => cached(reply, await dashboard.listUsers(request.query)),
  )

  app.get(
    '/api/v1/admin/users/:id',
    {
      schema: {
        operationId: 'getUser',
        tags,
        security,
        summary: 'One user',
        params: UserParamsSchema,
        response: { 200: cachedReply(UserSchema), ...errorReplies(...refused, errors.USER_NOT_FOUND) },
      },
    },
    async (request, reply) => cached(reply, await dashboard.getUser(request.params.id)),
  )

  app.post(
    '/api/v1/admin/users/:id/ban',
    {
      schema: {
        operationId: 'banUser',
        tags,
        security,
        summary: 'Ban a user: their sessions end and they get no more codes; audited',
        params: UserParamsSchema,
        body: BanBody,
        response: { 200: UserSchema, ...errorReplies(...refused, errors.USER_NOT_FOUND, errors.CANNOT_BAN_SELF) },
      },
    },
    async (request) => dashboard.ban(adminOf(request), request.params.id, request.body.reason),
  )

  app.post(
    '/api/v1/admin/users/:id/unban',
    {
      config: { optionalBody: true },
      schema: {
        operationId: 'unbanUser',
        tags,
        security,
        summary: 'Lift a ban; audited',
        params: UserParamsSchema,
        body: UnbanBody,
        response: { 200: UserSchema, ...errorReplies(...refused, errors.USER_NOT_FOUND) },
      },
    },
    async (request) => dashboard.unban(adminOf(request), request.params.id, request.body.reason),
  )

  app.get(
    '/api/v1/admin/audit-log',
    {
      schema: {
        operationId: 'listAuditLog',
        tags,
        security,
        summary: 'What admins did, newest first, by cursor',
        querystring: AuditQuery,
        response: { 200: AuditPage, ...errorReplies(...refused) },
      },
    },
    async (request) => audit.list(request.query),
  )

  app.post(
    '/api/v1/admin/cache/invalidate',
    {
      config: { optionalBody: true },
      schema: {
        operationId: 'invalidateCache',
        tags,
        security,
        summary: 'Drop cached answers on every instance, by key prefix ("metrics", "series?", "users?", "users/<id>"); audited',
        body: InvalidateBody,
        response: { 204: Type.Null({ description: 'Dropped' }), ...errorReplies(...refused) },
      },
    },
    async (request, reply) => {
      await dashboard.invalidate(adminOf(request), request.body.prefix ?? '')
      return reply.code(204).send(null)
    },
  )
}

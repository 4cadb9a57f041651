import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { UserListQuerySchema, UserListSchema, UserParamsSchema, UserSchema } from '@otp-suite/contract'
import { ErrorReply } from '@otp-suite/service-kit'
import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify'
import { Type } from 'typebox'
import type { AuditLog } from '../audit/audit-log.ts'
import type { CacheOutcome } from '../cache/response-cache.ts'
import type { Dashboard } from '../dashboard.ts'
import { AuditPage, AuditQuery, BanBody, InvalidateBody, MetricsReply, UnbanBody } from '../schemas.ts'

type Options = { dashboard: Dashboard; audit: AuditLog; requireAdmin: onRequestAsyncHookHandler }

/** The admin behind an authenticated request (set by the admin check every route runs). */
const adminOf = (request: FastifyRequest) => request.adminId as string

/** For the routes whose body is all optional: no body at all means an empty one. */
const emptyBodyAllowed = async (request: FastifyRequest) => {
  request.body ??= {}
}

/** Sends a cached answer, saying where it came from. */
function cached<T>(reply: FastifyReply, { value, outcome }: { value: T; outcome: CacheOutcome }) {
  reply.header('x-cache', outcome)
  return value
}

const cacheNote = 'The x-cache header says HIT, MISS or STALE (the last answer, served while an upstream is down).'

/** The admin dashboard's API: every route needs a live access token of an admin. */
export const adminRoutes: FastifyPluginAsyncTypebox<Options> = async (app, { dashboard, audit, requireAdmin }) => {
  // Before the body is read: nobody learns anything about a route they may not call.
  app.addHook('onRequest', app.requireToken('access'))
  app.addHook('onRequest', requireAdmin)
  const tags = ['admin']
  const security = [{ bearer: [] }]
  // Every admin route: no token or a revoked one, not an admin, an upstream or the database down.
  const refused = { 401: ErrorReply, 403: ErrorReply, 503: ErrorReply }

  app.get(
    '/api/v1/admin/dashboard/metrics',
    {
      schema: {
        tags,
        security,
        summary: 'Users, codes and sessions at a glance',
        description: cacheNote,
        response: { 200: MetricsReply, ...refused },
      },
    },
    async (_request, reply) => cached(reply, await dashboard.metrics()),
  )

  app.get(
    '/api/v1/admin/users',
    {
      schema: {
        tags,
        security,
        summary: 'Users, newest first, by cursor; searched and filtered',
        description: cacheNote,
        querystring: UserListQuerySchema,
        response: { 200: UserListSchema, 400: ErrorReply, ...refused },
      },
    },
    async (request, reply) => cached(reply, await dashboard.listUsers(request.query)),
  )

  app.get(
    '/api/v1/admin/users/:id',
    {
      schema: {
        tags,
        security,
        summary: 'One user',
        description: cacheNote,
        params: UserParamsSchema,
        response: { 200: UserSchema, 400: ErrorReply, 404: ErrorReply, ...refused },
      },
    },
    async (request, reply) => cached(reply, await dashboard.getUser(request.params.id)),
  )

  app.post(
    '/api/v1/admin/users/:id/ban',
    {
      schema: {
        tags,
        security,
        summary: 'Ban a user: their sessions end and they get no more codes; audited',
        params: UserParamsSchema,
        body: BanBody,
        response: { 200: UserSchema, 400: ErrorReply, 404: ErrorReply, 409: ErrorReply, ...refused },
      },
    },
    async (request) => dashboard.ban(adminOf(request), request.params.id, request.body.reason),
  )

  app.post(
    '/api/v1/admin/users/:id/unban',
    {
      preValidation: emptyBodyAllowed,
      schema: {
        tags,
        security,
        summary: 'Lift a ban; audited',
        params: UserParamsSchema,
        body: UnbanBody,
        response: { 200: UserSchema, 400: ErrorReply, 404: ErrorReply, ...refused },
      },
    },
    async (request) => dashboard.unban(adminOf(request), request.params.id, request.body.reason),
  )

  app.get(
    '/api/v1/admin/audit-log',
    {
      schema: {
        tags,
        security,
        summary: 'What admins did, newest first, by cursor',
        querystring: AuditQuery,
        response: { 200: AuditPage, 400: ErrorReply, ...refused },
      },
    },
    async (request) => audit.list(request.query),
  )

  app.post(
    '/api/v1/admin/cache/invalidate',
    {
      preValidation: emptyBodyAllowed,
      schema: {
        tags,
        security,
        summary: 'Drop cached answers on every instance, by key prefix ("metrics", "users?", "users/<id>"); audited',
        body: InvalidateBody,
        response: { 204: Type.Null(), 400: ErrorReply, ...refused },
      },
    },
    async (request, reply) => {
      await dashboard.invalidate(adminOf(request), request.body.prefix ?? '')
      return reply.code(204).send(null)
    },
  )
}

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { getClaims } from '@otp-suite/jwt'
import { ErrorReply } from '@otp-suite/service-kit'
import { Type } from 'typebox'
import { LoginBody, LoginReply, LogoutBody, RefreshBody, TokenPairReply } from '../schemas.ts'
import type { SessionStore } from '../sessions/session-store.ts'
import type { createSignIn } from '../sessions/sign-in.ts'

type Options = { signIn: ReturnType<typeof createSignIn>; sessions: SessionStore }

export const authRoutes: FastifyPluginAsyncTypebox<Options> = async (app, { signIn, sessions }) => {
  app.post(
    '/api/v1/auth/otp/login',
    {
      schema: {
        tags: ['auth'],
        summary: 'Sign in with an otp-service proof; creates the user on first sign-in',
        body: LoginBody,
        response: { 200: LoginReply, 400: ErrorReply, 401: ErrorReply, 403: ErrorReply, 503: ErrorReply },
      },
    },
    async (request) => signIn(request.body.proof),
  )

  app.post(
    '/api/v1/auth/refresh',
    {
      schema: {
        tags: ['auth'],
        summary: 'Trade a refresh token for a new pair; the old one is spent',
        body: RefreshBody,
        response: { 200: TokenPairReply, 400: ErrorReply, 401: ErrorReply, 503: ErrorReply },
      },
    },
    async (request) => sessions.refresh(request.body.refreshToken),
  )

  app.post(
    '/api/v1/auth/logout',
    {
      // The body is optional: none means `local`.
      preValidation: async (request) => {
        request.body ??= {}
      },
      preHandler: app.requireToken('access'),
      schema: {
        tags: ['auth'],
        summary: 'End this session (local) or every session of the user (global)',
        security: [{ bearer: [] }],
        body: LogoutBody,
        response: { 204: Type.Null({ description: 'Logged out' }), 400: ErrorReply, 401: ErrorReply, 503: ErrorReply },
      },
    },
    async (request, reply) => {
      await sessions.logout(getClaims(request, 'access'), request.body.scope ?? 'local')
      return reply.code(204).send(null)
    },
  )
}

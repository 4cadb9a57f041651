import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { getClaims } from '@otp-suite/jwt'
import { errorReplies } from '@otp-suite/service-kit'
import { Type } from 'typebox'
import { errors } from '../errors.ts'
import { LoginBody, LoginReply, LogoutBody, RefreshBody, TokenPairReply } from '../schemas.ts'
import type { SessionStore } from '../sessions/session-store.ts'
import type { createSignIn } from '../sessions/sign-in.ts'

type Options = { signIn: ReturnType<typeof createSignIn>; sessions: SessionStore }

export const authRoutes: FastifyPluginAsyncTypebox<Options> = async (app, { signIn, sessions }) => {
  app.post(
    '/api/v1/auth/otp/login',
    {
      schema: {
        operationId: 'login',
        tags: ['auth'],
        summary: 'Sign in with the proof of a verified code; creates the user on first sign-in',
        body: LoginBody,
        response: { 200: LoginReply, ...errorReplies(errors.PROOF_INVALID, errors.USER_BANNED) },
      },
    },
    async (request) => signIn(request.body.proof),
  )

  app.post(
    '/api/v1/auth/refresh',
    {
      schema: {
        operationId: 'refreshTokens',
        tags: ['auth'],
        summary: 'Trade a refresh token for a new pair; the old one is spent',
        description: 'Using a spent refresh token again ends its whole session.',
        body: RefreshBody,
        response: { 200: TokenPairReply, ...errorReplies(errors.REFRESH_INVALID) },
      },
    },
    async (request) => sessions.refresh(request.body.refreshToken),
  )

  app.post(
    '/api/v1/auth/logout',
    {
      // None means `local`.
      config: { optionalBody: true },
      preValidation: app.requireToken('access'),
      schema: {
        operationId: 'logout',
        tags: ['auth'],
        summary: 'End this session (local) or every session of the user (global)',
        description: 'The access token is refused by every service from the moment this answers.',
        security: [{ accessToken: [] }],
        body: LogoutBody,
        response: { 204: Type.Null({ description: 'Logged out' }) },
      },
    },
    async (request, reply) => {
      await sessions.logout(getClaims(request, 'access'), request.body.scope ?? 'local')
      return reply.code(204).send(null)
    },
  )
}

import Fastify, { type FastifyError } from 'fastify'
import type { Test } from 'tap'
import { getClaims, jwtPlugin, type TokenPluginOptions } from '../index.ts'

/**
 * An app with the plugin, two protected routes and a minimal stand-in for the suite's error
 * handler, so replies show the thrown error's statusCode and code. Closed when the test ends.
 */
export async function buildApp(t: Test, options: TokenPluginOptions) {
  const app = Fastify()
  app.setErrorHandler((error: FastifyError, _request, reply) => {
    const statusCode = error.statusCode ?? 500
    return reply.code(statusCode).send({ statusCode, code: error.code, message: error.message })
  })
  await app.register(jwtPlugin, options)

  app.get('/me', { onRequest: app.requireToken('access') }, async (request) => {
    const claims = getClaims(request, 'access')
    return { sub: claims.sub, role: claims.role, sid: claims.sid, typ: request.tokenClaims?.typ }
  })
  app.get('/internal/stats', { onRequest: app.requireToken('service') }, async (request) => ({
    caller: getClaims(request, 'service').sub,
  }))
  app.get('/unprotected', async (request) => getClaims(request, 'access'))

  t.teardown(() => app.close())
  return app
}

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ErrorReply } from '@otp-suite/service-kit'
import type { Maintenance } from '../otp/maintenance.ts'
import type { StatsRecorder } from '../otp/stats-recorder.ts'
import { StatsReply } from '../schemas.ts'

/** Routes for the other services only; the gateway never exposes /internal. */
export const internalRoutes: FastifyPluginAsyncTypebox<{ maintenance: Maintenance; stats: StatsRecorder }> = async (
  app,
  { maintenance, stats },
) => {
  app.get(
    '/internal/v1/stats',
    {
      preHandler: app.requireToken('service'),
      schema: {
        tags: ['internal'],
        summary: 'Counts of OTP outcomes, last 24 hours and in total',
        security: [{ bearer: [] }],
        response: { 200: StatsReply, 401: ErrorReply, 503: ErrorReply },
      },
    },
    async () => {
      // This instance's latest counts first; other instances' are at most one flush interval behind.
      await stats.flush()
      return maintenance.stats()
    },
  )
}

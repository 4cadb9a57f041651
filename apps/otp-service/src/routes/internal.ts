import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { OtpSeriesSchema, OtpStatsSchema, SeriesQuerySchema } from '@otp-suite/contract'
import { Type } from 'typebox'
import type { BlockedDestinations } from '../otp/blocked-destinations.ts'
import type { Maintenance } from '../otp/maintenance.ts'
import type { StatsRecorder } from '../otp/stats-recorder.ts'
import { BlockedDestinationsBody } from '../schemas.ts'

type Options = { maintenance: Maintenance; stats: StatsRecorder; blockedDestinations: BlockedDestinations }

/** Routes for the other services only; the gateway never exposes /internal. */
export const internalRoutes: FastifyPluginAsyncTypebox<Options> = async (app, { maintenance, stats, blockedDestinations }) => {
  const tags = ['internal']
  const security = [{ serviceToken: [] }]
  app.get(
    '/internal/v1/stats',
    {
      preValidation: app.requireToken('service'),
      schema: {
        operationId: 'otpStats',
        tags,
        summary: 'Counts of OTP outcomes, last 24 hours and in total',
        security,
        response: { 200: OtpStatsSchema },
      },
    },
    async () => {
      // This instance's latest counts first; other instances' are at most one flush interval behind.
      await stats.flush()
      return maintenance.stats()
    },
  )

  app.get(
    '/internal/v1/stats/series',
    {
      preValidation: app.requireToken('service'),
      schema: {
        operationId: 'otpStatsSeries',
        tags,
        summary: 'OTP outcomes per hour of the last 24 hours, or per day of the last 30',
        security,
        querystring: SeriesQuerySchema,
        response: { 200: OtpSeriesSchema },
      },
    },
    async (request) => {
      await stats.flush()
      return maintenance.series(request.query.range)
    },
  )

  app.put(
    '/internal/v1/blocked-destinations',
    {
      preValidation: app.requireToken('service'),
      schema: {
        operationId: 'setBlockedDestinations',
        tags,
        summary: "Block or unblock destinations (a banned user's phone and email); idempotent",
        description: 'While a destination is blocked, send and resend to it answer 403 DESTINATION_BLOCKED and deliver nothing.',
        security,
        body: BlockedDestinationsBody,
        response: { 204: Type.Null({ description: 'Done' }) },
      },
    },
    async (request, reply) => {
      await blockedDestinations.set(request.body.destinations, request.body.blocked)
      return reply.code(204).send(null)
    },
  )
}

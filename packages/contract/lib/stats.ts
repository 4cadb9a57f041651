import { type Static, type TProperties, Type } from 'typebox'

const Count = Type.Object({ last24h: Type.Integer(), total: Type.Integer() })

/** otp-service's `GET /internal/v1/stats`. */
export const OtpStatsSchema = Type.Object(
  { sent: Count, verified: Count, failed: Count, locked: Count, expired: Count },
  { description: 'Codes sent, verified, wrong, locked and expired: last 24 hours and in total' },
)
export type OtpStats = Static<typeof OtpStatsSchema>

/** user-service's `GET /internal/v1/stats`. */
export const UserStatsSchema = Type.Object(
  {
    users: Type.Object({
      total: Type.Integer(),
      live: Type.Integer(),
      demo: Type.Integer(),
      banned: Type.Integer(),
      newLast24h: Type.Integer(),
    }),
    sessions: Type.Object({ active: Type.Integer(), logoutsLast24h: Type.Integer() }),
  },
  { description: 'Users and sessions' },
)
export type UserStats = Static<typeof UserStatsSchema>

/** The span of a time series: the last 24 hours by hour, or the last 30 days by day (UTC). */
export const SeriesQuerySchema = Type.Object(
  {
    range: Type.Union([Type.Literal('24h'), Type.Literal('30d')], {
      default: '24h',
      description: '24h: the last 24 hours, one point per hour; 30d: the last 30 days, one point per day (UTC)',
    }),
  },
  { additionalProperties: false },
)
export type SeriesQuery = Static<typeof SeriesQuerySchema>
export type SeriesRange = SeriesQuery['range']

/** Each range's interval and number of points, the current (partial) one last. */
export const SERIES_RANGES: Record<SeriesRange, { interval: 'hour' | 'day'; points: number }> = {
  '24h': { interval: 'hour', points: 24 },
  '30d': { interval: 'day', points: 30 },
}

/** A series' fields: its range and interval, and each point's start followed by its counts. */
const seriesProperties = <P extends TProperties>(counts: P) => ({
  range: SeriesQuerySchema.properties.range,
  interval: Type.Union([Type.Literal('hour'), Type.Literal('day')]),
  points: Type.Array(Type.Object({ start: Type.String({ format: 'date-time', description: 'Where the interval starts' }), ...counts })),
})

const seriesOf = <P extends TProperties>(counts: P, description: string) => Type.Object(seriesProperties(counts), { description })

const otpOutcomes = {
  sent: Type.Integer(),
  verified: Type.Integer(),
  failed: Type.Integer(),
  locked: Type.Integer(),
  expired: Type.Integer(),
}

/** otp-service's `GET /internal/v1/stats/series`. */
export const OtpSeriesSchema = seriesOf(otpOutcomes, 'Codes sent, verified, wrong, locked and expired, per interval')
export type OtpSeries = Static<typeof OtpSeriesSchema>

const signIns = Type.Integer({ description: 'Sign-ins that opened a session' })
const logouts = Type.Integer({ description: 'Logouts (one each, local or global)' })

/** user-service's `GET /internal/v1/stats/series`. */
export const UserSeriesSchema = seriesOf(
  { newUsers: Type.Integer({ description: 'Users created (by their first sign-in)' }), signIns, logouts },
  'New users, sign-ins and logouts, per interval',
)
export type UserSeries = Static<typeof UserSeriesSchema>

const adminSeriesExample = {
  range: '24h',
  interval: 'hour',
  points: [
    {
      start: '2026-11-22T07:00:00.000Z',
      otp: { sent: 42, verified: 37, failed: 6, locked: 0, expired: 3 },
      users: { new: 5 },
      sessions: { signIns: 37, logouts: 11 },
    },
    {
      start: '2026-11-22T08:00:00.000Z',
      otp: { sent: 18, verified: 15, failed: 2, locked: 1, expired: 1 },
      users: { new: 2 },
      sessions: { signIns: 15, logouts: 4 },
    },
  ],
  generatedAt: '2026-11-22T08:12:31.000Z',
}

/** admin-service's `GET /api/v1/admin/dashboard/series`: both services' series, point by point. */
export const AdminSeriesSchema = Type.Object(
  {
    ...seriesProperties({
      otp: Type.Object(otpOutcomes, { description: 'Codes sent, verified, wrong, locked and expired' }),
      users: Type.Object({ new: Type.Integer({ description: 'Users created' }) }),
      sessions: Type.Object({ signIns, logouts }),
    }),
    generatedAt: Type.String({ format: 'date-time', description: 'When the figures were gathered' }),
  },
  {
    description: 'Codes, new users and sessions per hour of the last 24 hours or per day of the last 30 (UTC), the current interval last',
    examples: [adminSeriesExample],
  },
)
export type AdminSeries = Static<typeof AdminSeriesSchema>

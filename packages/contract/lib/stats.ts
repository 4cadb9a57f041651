import { type Static, Type } from 'typebox'

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

import { OtpStatsSchema, UserStatsSchema } from '@otp-suite/contract'
import { PrintableText, VisibleText } from '@otp-suite/destination'
import { Type } from 'typebox'

export const MetricsReply = Type.Object(
  {
    users: UserStatsSchema.properties.users,
    otp: OtpStatsSchema,
    sessions: UserStatsSchema.properties.sessions,
    generatedAt: Type.String({ format: 'date-time', description: 'When the figures were gathered' }),
  },
  { description: 'The figures of the dashboard' },
)

export const BanBody = Type.Object(
  { reason: VisibleText({ minLength: 1, maxLength: 500, description: 'Why, for the audit log' }) },
  { additionalProperties: false },
)
export const UnbanBody = Type.Object({ reason: Type.Optional(BanBody.properties.reason) }, { additionalProperties: false })

export const AuditQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 50 }),
    cursor: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,17}$', description: 'The nextCursor of the page before' })),
  },
  { additionalProperties: false },
)
export const AuditEntry = Type.Object({
  id: Type.String(),
  adminId: Type.String({ format: 'uuid' }),
  action: Type.String({ description: 'user.ban, user.unban or cache.invalidate' }),
  targetType: Type.String(),
  targetId: Type.String(),
  details: Type.Object({}, { additionalProperties: true, description: 'The reason given, and the outcome: done or unconfirmed' }),
  createdAt: Type.String({ format: 'date-time' }),
})
export const AuditPage = Type.Object(
  { items: Type.Array(AuditEntry), nextCursor: Type.Union([Type.String(), Type.Null()]) },
  { description: 'A page of the audit log, newest first' },
)

export const InvalidateBody = Type.Object(
  { prefix: Type.Optional(PrintableText({ maxLength: 200, description: 'Drops the entries whose key starts with it; none drops all' })) },
  { additionalProperties: false },
)

import { Type } from 'typebox'

export const ChannelSchema = Type.Union([Type.Literal('sms'), Type.Literal('email')], { description: 'Delivery channel' })
export const PurposeSchema = Type.Union(
  ['login', 'signup', 'verify_phone', 'verify_email'].map((purpose) => Type.Literal(purpose)),
  { description: 'What the code is for; a code verifies only the purpose it was sent for' },
)
export const UserTypeSchema = Type.Union([Type.Literal('live'), Type.Literal('demo')], { default: 'live' })

const otpTarget = {
  channel: ChannelSchema,
  to: Type.String({ minLength: 3, maxLength: 254, description: 'Phone number in any common form, or email address' }),
  purpose: PurposeSchema,
  userType: Type.Optional(UserTypeSchema),
}

export const SendBody = Type.Object(otpTarget, { additionalProperties: false })

export const verifyBody = (codeLength: number) =>
  Type.Object(
    { ...otpTarget, code: Type.String({ pattern: `^[0-9]{${codeLength}}$`, description: `${codeLength} digits` }) },
    { additionalProperties: false },
  )

export const SendReply = Type.Object({
  success: Type.Literal(true),
  expiresIn: Type.Integer({ description: 'Seconds the code stays valid' }),
  resendAfter: Type.Integer({ description: 'Seconds before another code may be sent' }),
})

export const VerifyReply = Type.Object({
  success: Type.Literal(true),
  verified: Type.Literal(true),
  proof: Type.String({ description: 'Single-use otp_proof JWT for user-service' }),
  proofExpiresIn: Type.Integer(),
})

export const ErrorReply = Type.Object(
  {
    statusCode: Type.Integer(),
    code: Type.String(),
    error: Type.String(),
    message: Type.String(),
    attemptsLeft: Type.Optional(Type.Integer()),
    retryAfter: Type.Optional(Type.Integer()),
  },
  { additionalProperties: true },
)

const StatSchema = Type.Object({ last24h: Type.Integer(), total: Type.Integer() })
export const StatsReply = Type.Object({
  sent: StatSchema,
  verified: StatSchema,
  failed: StatSchema,
  locked: StatSchema,
  expired: StatSchema,
})

import { ChannelSchema, PrintableText, PurposeSchema, UserTypeSchema } from '@otp-suite/destination'
import { Type } from 'typebox'

const destinationText = PrintableText({
  minLength: 3,
  maxLength: 254,
  description: 'Phone number in any common form, or one bare email address',
})

const otpTarget = {
  channel: ChannelSchema,
  to: destinationText,
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

export const BlockedDestinationsBody = Type.Object(
  {
    destinations: Type.Array(Type.Object({ channel: ChannelSchema, to: destinationText }, { additionalProperties: false }), {
      maxItems: 100,
    }),
    blocked: Type.Boolean({ description: 'true blocks every destination listed, false lifts their blocks' }),
  },
  { additionalProperties: false },
)

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

export const SendBody = Type.Object(otpTarget, {
  additionalProperties: false,
  examples: [{ channel: 'sms', to: '+1 555 123 4567', purpose: 'login' }],
})

/** Any length the service can be configured for; the service then takes exactly its own (OTP_LENGTH). */
export const VerifyBody = Type.Object(
  {
    ...otpTarget,
    code: Type.String({ pattern: '^[0-9]{4,10}$', description: 'The digits received: OTP_LENGTH of them (6 unless configured)' }),
  },
  { additionalProperties: false, examples: [{ channel: 'sms', to: '+15551234567', purpose: 'login', code: '123456' }] },
)

export const SendReply = Type.Object(
  {
    success: Type.Literal(true),
    expiresIn: Type.Integer({ description: 'Seconds the code stays valid' }),
    resendAfter: Type.Integer({ description: 'Seconds before another code may be sent' }),
  },
  { description: 'The code is on its way', examples: [{ success: true, expiresIn: 600, resendAfter: 60 }] },
)

export const VerifyReply = Type.Object(
  {
    success: Type.Literal(true),
    verified: Type.Literal(true),
    proof: Type.String({ description: 'Single-use otp_proof JWT: sign in with it at POST /api/v1/auth/otp/login' }),
    proofExpiresIn: Type.Integer({ description: 'Seconds the proof stays valid' }),
  },
  {
    description: 'The code was right; it cannot be used again',
    examples: [{ success: true, verified: true, proof: 'eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl', proofExpiresIn: 300 }],
  },
)

export const BlockedDestinationsBody = Type.Object(
  {
    destinations: Type.Array(Type.Object({ channel: ChannelSchema, to: destinationText }, { additionalProperties: false }), {
      maxItems: 100,
    }),
    blocked: Type.Boolean({ description: 'true blocks every destination listed, false lifts their blocks' }),
  },
  { additionalProperties: false },
)

import { ACCESS_TOKEN_MAX_LENGTH, INTROSPECT_BATCH_MAX, UserSchema, userExample } from '@otp-suite/contract'
import { PrintableText, VisibleText } from '@otp-suite/destination'
import { Type } from 'typebox'

const jwt = (description: string) => Type.String({ minLength: 1, maxLength: 4096, description })

export const LoginBody = Type.Object({ proof: jwt('The proof otp-service gave for a verified code') }, { additionalProperties: false })
export const RefreshBody = Type.Object({ refreshToken: jwt('The latest refresh token of the session') }, { additionalProperties: false })
export const LogoutBody = Type.Object(
  { scope: Type.Optional(Type.Union([Type.Literal('local'), Type.Literal('global')], { default: 'local' })) },
  { additionalProperties: false },
)
const tokenPair = {
  accessToken: Type.String({ description: 'Send as `Authorization: Bearer …`' }),
  refreshToken: Type.String({ description: 'Single use: each refresh gives a new one' }),
  tokenType: Type.Literal('Bearer'),
  expiresIn: Type.Integer({ description: 'Seconds the access token is valid' }),
}
const pairExample = {
  accessToken: 'eyJhbGciOiJIUzI1NiJ9.e30.YWNjZXNz',
  refreshToken: 'eyJhbGciOiJIUzI1NiJ9.e30.cmVmcmVzaA',
  tokenType: 'Bearer',
  expiresIn: 900,
}
export const TokenPairReply = Type.Object(tokenPair, {
  description: 'A new pair; the refresh token sent is spent',
  examples: [pairExample],
})
export const LoginReply = Type.Object(
  { ...tokenPair, user: UserSchema },
  { description: 'Signed in', examples: [{ ...pairExample, user: userExample }] },
)

const name = VisibleText({ minLength: 1, maxLength: 100 })
export const ProfileBody = Type.Object({ firstName: Type.Optional(name), lastName: Type.Optional(name) }, { additionalProperties: false })

export const PhoneBody = Type.Object(
  { proof: jwt('The proof otp-service gave for a verified verify_phone code') },
  { additionalProperties: false },
)
export const EmailBody = Type.Object(
  { email: PrintableText({ minLength: 3, maxLength: 254, description: 'One bare email address' }) },
  { additionalProperties: false },
)
export const EmailTokenBody = Type.Object({ token: jwt('The token of the mailed link') }, { additionalProperties: false })

export const IntrospectBody = Type.Object({ token: jwt('An access token') }, { additionalProperties: false })
/** The largest body the batch introspection takes: its most tokens at their longest, quoted and separated. */
export const INTROSPECT_BATCH_BODY_LIMIT = 16 + INTROSPECT_BATCH_MAX * (ACCESS_TOKEN_MAX_LENGTH + 3)
export const AdministerBody = Type.Object(
  {
    status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('banned')])),
    role: Type.Optional(Type.Union([Type.Literal('user'), Type.Literal('admin')])),
  },
  { additionalProperties: false, minProperties: 1 },
)

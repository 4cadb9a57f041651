import { PrintableText } from '@otp-suite/destination'
import { Type } from 'typebox'
import { UserReply } from './users/user.ts'

const jwt = (description: string) => Type.String({ minLength: 1, maxLength: 4096, description })

export const LoginBody = Type.Object({ proof: jwt('The proof otp-service gave for a verified code') }, { additionalProperties: false })
export const RefreshBody = Type.Object({ refreshToken: jwt('The latest refresh token of the session') }, { additionalProperties: false })
export const LogoutBody = Type.Object(
  { scope: Type.Optional(Type.Union([Type.Literal('local'), Type.Literal('global')], { default: 'local' })) },
  { additionalProperties: false },
)
export const TokenPairReply = Type.Object({
  accessToken: Type.String(),
  refreshToken: Type.String(),
  tokenType: Type.Literal('Bearer'),
  expiresIn: Type.Integer({ description: 'Seconds the access token is valid' }),
})
export const LoginReply = Type.Object({ ...TokenPairReply.properties, user: UserReply })

const name = PrintableText({ minLength: 1, maxLength: 100 })
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
export const IntrospectReply = Type.Object({
  active: Type.Boolean(),
  sub: Type.Optional(Type.String()),
  role: Type.Optional(Type.String()),
  userType: Type.Optional(Type.String()),
  jti: Type.Optional(Type.String()),
  exp: Type.Optional(Type.Integer()),
})

export const UserListQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
    q: Type.Optional(PrintableText({ maxLength: 100 })),
    userType: Type.Optional(Type.Union([Type.Literal('live'), Type.Literal('demo')])),
    status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('banned')])),
  },
  { additionalProperties: false },
)
export const UserList = Type.Object({
  items: Type.Array(UserReply),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
  total: Type.Integer(),
})
export const UserParams = Type.Object({ id: Type.String({ format: 'uuid' }) })
export const AdministerBody = Type.Object(
  {
    status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('banned')])),
    role: Type.Optional(Type.Union([Type.Literal('user'), Type.Literal('admin')])),
  },
  { additionalProperties: false, minProperties: 1 },
)
export const StatsReply = Type.Object({
  users: Type.Object({
    total: Type.Integer(),
    live: Type.Integer(),
    demo: Type.Integer(),
    banned: Type.Integer(),
    newLast24h: Type.Integer(),
  }),
  sessions: Type.Object({ active: Type.Integer(), logoutsLast24h: Type.Integer() }),
})

import { PrintableText } from '@otp-suite/destination'
import { type Static, Type } from 'typebox'

const nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()])

/** How a user looks in the documents' examples. */
export const userExample = {
  id: '0b6f1f0e-3c1a-4e43-9d0c-5b8f6a2f4c11',
  phone: '+15551234567',
  phoneVerified: true,
  email: null,
  emailVerified: false,
  firstName: 'Ada',
  lastName: null,
  userType: 'live',
  role: 'user',
  status: 'active',
  createdAt: '2026-01-01T12:00:00.000Z',
  lastLoginAt: '2026-01-02T08:30:00.000Z',
}

/** A user as every API shows it. */
export const UserSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    phone: nullable(Type.String()),
    phoneVerified: Type.Boolean(),
    email: nullable(Type.String()),
    emailVerified: Type.Boolean(),
    firstName: nullable(Type.String()),
    lastName: nullable(Type.String()),
    userType: Type.Union([Type.Literal('live'), Type.Literal('demo')]),
    role: Type.Union([Type.Literal('user'), Type.Literal('admin')]),
    status: Type.Union([Type.Literal('active'), Type.Literal('banned')]),
    createdAt: Type.String({ format: 'date-time' }),
    lastLoginAt: nullable(Type.String({ format: 'date-time' })),
  },
  {
    description: 'A user',
    examples: [userExample],
  },
)
export type User = Static<typeof UserSchema>

/** A page of users, newest first: pass `nextCursor` back as `cursor` for the next one. */
export const UserListQuerySchema = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
    q: Type.Optional(PrintableText({ maxLength: 100, description: 'Part of a phone, email or name' })),
    userType: Type.Optional(Type.Union([Type.Literal('live'), Type.Literal('demo')])),
    status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('banned')])),
  },
  { additionalProperties: false },
)
export type UserListQuery = Static<typeof UserListQuerySchema>

export const UserListSchema = Type.Object(
  {
    items: Type.Array(UserSchema),
    nextCursor: nullable(Type.String()),
    total: Type.Integer({ description: 'Users matching the filters, across all pages' }),
  },
  { description: 'A page of users, newest first' },
)
export type UserList = Static<typeof UserListSchema>

/** A user id as the suite writes them: lower-case, so one user has one spelling (and one cache key). */
export const UserParamsSchema = Type.Object({
  id: Type.String({ pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$', description: 'A user id' }),
})

/** user-service's answer about an access token; only `active` is present when it is not. */
export const IntrospectReplySchema = Type.Object(
  {
    active: Type.Boolean(),
    sub: Type.Optional(Type.String()),
    role: Type.Optional(Type.Union([Type.Literal('user'), Type.Literal('admin')])),
    userType: Type.Optional(Type.Union([Type.Literal('live'), Type.Literal('demo')])),
    jti: Type.Optional(Type.String()),
    exp: Type.Optional(Type.Integer()),
  },
  { description: 'Whether the token is live, and whose it is' },
)
export type IntrospectReply = Static<typeof IntrospectReplySchema>
/** The most tokens one batch introspection takes, and the longest (the suite's access tokens are under 500 characters). */
export const INTROSPECT_BATCH_MAX = 64
export const ACCESS_TOKEN_MAX_LENGTH = 2048
/** Several access tokens to introspect at once. */
export const IntrospectBatchBodySchema = Type.Object(
  {
    tokens: Type.Array(Type.String({ minLength: 1, maxLength: ACCESS_TOKEN_MAX_LENGTH, description: 'An access token' }), {
      minItems: 1,
      maxItems: INTROSPECT_BATCH_MAX,
    }),
  },
  { additionalProperties: false },
)
/** user-service's answers about several access tokens, in the order they were asked. */
export const IntrospectBatchReplySchema = Type.Object(
  { results: Type.Array(IntrospectReplySchema) },
  { description: 'One answer per token, in the order of the tokens' },
)
export type IntrospectBatchReply = Static<typeof IntrospectBatchReplySchema>

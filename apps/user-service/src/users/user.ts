import { Type } from 'typebox'
import type { User } from '../generated/prisma/client.ts'

/** A user as the API shows it (API.md's `user`). */
export const UserReply = Type.Object({
  id: Type.String({ format: 'uuid' }),
  phone: Type.Union([Type.String(), Type.Null()]),
  phoneVerified: Type.Boolean(),
  email: Type.Union([Type.String(), Type.Null()]),
  emailVerified: Type.Boolean(),
  firstName: Type.Union([Type.String(), Type.Null()]),
  lastName: Type.Union([Type.String(), Type.Null()]),
  userType: Type.Union([Type.Literal('live'), Type.Literal('demo')]),
  role: Type.Union([Type.Literal('user'), Type.Literal('admin')]),
  status: Type.Union([Type.Literal('active'), Type.Literal('banned')]),
  createdAt: Type.String({ format: 'date-time' }),
  lastLoginAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
})

export function toUserReply(user: User) {
  return {
    id: user.id,
    phone: user.phone,
    phoneVerified: user.phoneVerified,
    email: user.email,
    emailVerified: user.emailVerified,
    firstName: user.firstName,
    lastName: user.lastName,
    userType: user.userType as 'live' | 'demo',
    role: user.role as 'user' | 'admin',
    status: user.status as 'active' | 'banned',
    createdAt: user.createdAt.toISOString(),
    lastLoginAt: user.lastLoginAt?.toISOString() ?? null,
  }
}

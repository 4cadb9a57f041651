import type { User as UserReply } from '@otp-suite/contract'
import type { User } from '../generated/prisma/client.ts'

export function toUserReply(user: User): UserReply {
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

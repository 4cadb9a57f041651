import { errors } from '../errors.ts'
import type { Prisma, PrismaClient } from '../generated/prisma/client.ts'
import type { SessionStore } from '../sessions/session-store.ts'
import type { DestinationBlocks } from './destination-blocks.ts'
import { toUserReply } from './user.ts'

export type UserQuery = { limit: number; cursor?: string; q?: string; userType?: 'live' | 'demo'; status?: 'active' | 'banned' }

type Cursor = { createdAt: string; id: string }
const encodeCursor = (cursor: Cursor) => Buffer.from(JSON.stringify(cursor)).toString('base64url')
function decodeCursor(text: string): Cursor | null {
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString()) as Cursor
    return typeof value.id === 'string' && !Number.isNaN(Date.parse(value.createdAt)) ? value : null
  } catch {
    return null
  }
}

/** Users as the profile routes and the internal API read and change them. */
export function createUsers(prisma: PrismaClient, sessions: SessionStore, blocks: DestinationBlocks) {
  return {
    /** Newest first. The cursor names the last item seen, so users created meanwhile never shift a page. */
    async list(query: UserQuery) {
      const search = query.q?.trim()
      const filters: Prisma.UserWhereInput = {
        ...(query.userType ? { userType: query.userType } : {}),
        ...(query.status ? { status: query.status } : {}),
        ...(search
          ? {
              OR: (['phone', 'email', 'firstName', 'lastName'] as const).map((field) => ({
                [field]: { contains: search, mode: 'insensitive' as const },
              })),
            }
          : {}),
      }
      const after = query.cursor ? decodeCursor(query.cursor) : null
      const page: Prisma.UserWhereInput = after
        ? {
            OR: [{ createdAt: { lt: new Date(after.createdAt) } }, { createdAt: new Date(after.createdAt), id: { lt: after.id } }],
          }
        : {}
      const [rows, total] = await Promise.all([
        prisma.user.findMany({
          where: { AND: [filters, page] },
          orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
          take: query.limit + 1,
        }),
        prisma.user.count({ where: filters }),
      ])
      const items = rows.slice(0, query.limit)
      const last = items.at(-1)
      const nextCursor = rows.length > query.limit && last ? encodeCursor({ createdAt: last.createdAt.toISOString(), id: last.id }) : null
      return { items: items.map(toUserReply), nextCursor, total }
    },

    async get(id: string) {
      const user = await prisma.user.findUnique({ where: { id } })
      if (!user) throw new errors.USER_NOT_FOUND()
      return toUserReply(user)
    },

    async updateProfile(id: string, profile: { firstName?: string; lastName?: string }) {
      return toUserReply(await prisma.user.update({ where: { id }, data: profile }))
    },

    /**
     * Status and role, for administrators. A ban ends every session of the user in the same
     * transaction and blocks new codes to their phone and email; lifting it unblocks them.
     */
    async administer(id: string, change: { status?: 'active' | 'banned'; role?: 'user' | 'admin' }) {
      const user = await prisma.$transaction(async (tx) => {
        const found = await tx.user.findUnique({ where: { id } })
        if (!found) return null
        if (change.status === 'banned') await sessions.endSessions(tx, { userId: id }, 'banned')
        if (change.status && change.status !== found.status) await blocks.queue(tx, found, change.status === 'banned')
        return tx.user.update({ where: { id }, data: change })
      })
      if (!user) throw new errors.USER_NOT_FOUND()
      // The ban holds whatever otp-service answers: what it did not take, the repeating job sends.
      await blocks.flush().catch(() => {})
      return toUserReply(user)
    },

    async stats() {
      const dayAgo = new Date(Date.now() - 86_400_000)
      const now = new Date()
      const [total, live, demo, banned, newLast24h, active, logoutsLast24h] = await Promise.all([
        prisma.user.count(),
        prisma.user.count({ where: { userType: 'live' } }),
        prisma.user.count({ where: { userType: 'demo' } }),
        prisma.user.count({ where: { status: 'banned' } }),
        prisma.user.count({ where: { createdAt: { gt: dayAgo } } }),
        prisma.session.count({ where: { endedAt: null, expiresAt: { gt: now } } }),
        prisma.session.count({ where: { endedAt: { gt: dayAgo }, endReason: { in: ['logout', 'logout_all'] } } }),
      ])
      return { users: { total, live, demo, banned, newLast24h }, sessions: { active, logoutsLast24h } }
    },
  }
}

export type Users = ReturnType<typeof createUsers>

import type { UserListQuery } from '@otp-suite/contract'
import { errors as kitErrors } from '@otp-suite/service-kit'
import { errors } from '../errors.ts'
import type { Prisma, PrismaClient, User } from '../generated/prisma/client.ts'
import type { SessionStore } from '../sessions/session-store.ts'
import type { DestinationBlocks } from './destination-blocks.ts'
import { toUserReply } from './user.ts'

type Cursor = { createdAt: string; id: string }
const encodeCursor = (cursor: Cursor) => Buffer.from(JSON.stringify(cursor)).toString('base64url')
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** A cursor this service made, or a 400: a forged one must not reach the database as a bad uuid or date. */
function decodeCursor(text: string): Cursor {
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString()) as Partial<Cursor>
    if (typeof value.id === 'string' && uuid.test(value.id) && typeof value.createdAt === 'string') {
      if (new Date(value.createdAt).toISOString() === value.createdAt) return { id: value.id, createdAt: value.createdAt }
    }
  } catch {
    // Not base64url JSON, or not a date: refused below.
  }
  throw new kitErrors.VALIDATION_ERROR('cursor is not one this service gave')
}

// Search is by substring: the LIKE wildcards in what is searched for are matched as themselves.
const literal = (text: string) => text.replace(/[\\%_]/g, (character) => `\\${character}`)

/** Users as the profile routes and the internal API read and change them. */
export function createUsers(prisma: PrismaClient, sessions: SessionStore, blocks: DestinationBlocks) {
  return {
    /** Newest first. The cursor names the last item seen, so users created meanwhile never shift a page. */
    async list(query: UserListQuery) {
      const search = query.q?.trim()
      const filters: Prisma.UserWhereInput = {
        ...(query.userType ? { userType: query.userType } : {}),
        ...(query.status ? { status: query.status } : {}),
        ...(search
          ? {
              OR: (['phone', 'email', 'firstName', 'lastName'] as const).map((field) => ({
                [field]: { contains: literal(search), mode: 'insensitive' as const },
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
     * transaction and blocks new codes to their phone and email; lifting it unblocks them. Losing
     * the admin role ends the sessions too, so no token keeps claiming it.
     */
    async administer(id: string, change: { status?: 'active' | 'banned'; role?: 'user' | 'admin' }) {
      const user = await prisma.$transaction(async (tx) => {
        // The row lock orders this against sign-ins (whose upsert waits for it, then sees the ban)
        // and against other changes of the user, so each sees the status the one before it left.
        const [locked] = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM users WHERE id = ${id}::uuid FOR UPDATE`
        if (!locked) return null
        const found = (await tx.user.findUnique({ where: { id } })) as User
        if (change.status === 'banned') await sessions.endSessions(tx, { userId: id }, 'banned')
        else if (change.role === 'user' && found.role === 'admin') await sessions.endSessions(tx, { userId: id }, 'demoted')
        if (change.status && change.status !== found.status) await blocks.queue(tx, found, change.status === 'banned')
        return tx.user.update({ where: { id }, data: change })
      })
      if (!user) throw new errors.USER_NOT_FOUND()
      // The ban holds whatever otp-service answers, and does not wait for it: what it does not
      // take now, the repeating job sends.
      blocks.flushSoon()
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

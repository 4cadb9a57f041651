import type { FastifyBaseLogger } from 'fastify'
import { INVALIDATION_CHANNEL, invalidationNotice } from '../cache/invalidation.ts'
import type { Prisma, PrismaClient } from '../generated/prisma/client.ts'
import { mayHaveTakenEffect } from '../upstream/upstream.ts'

export type AdminAction = {
  adminId: string
  action: 'user.ban' | 'user.unban' | 'cache.invalidate'
  targetType: 'user' | 'cache'
  targetId: string
  details: Record<string, Prisma.InputJsonValue>
  /** The cache key prefixes the action makes stale, on every instance. */
  stale: readonly string[]
}

type Dependencies = { prisma: PrismaClient; log: FastifyBaseLogger }

export type AuditQuery = { limit: number; cursor?: string }

type Outcome = 'done' | 'unconfirmed'

/**
 * Admin actions and their audit rows. The row is written first, as `pending`, so a database that is
 * down stops the action before it starts and an action never happens unrecorded. Once the action
 * is carried out the row says `done`, and a notice in the same transaction drops the stale cache
 * entries on every instance. A request the upstream took but did not answer may or may not have
 * been carried out: the row says `unconfirmed`, and the request still fails. A refused action
 * (unknown user, upstream never reached) leaves no row. A row left `pending` is an action whose end
 * was never recorded (the process died, or the database went away meanwhile).
 */
export function createAuditLog({ prisma, log }: Dependencies) {
  /** Records how the action ended and, if it may have changed anything, tells every instance. */
  const settle = (id: bigint, details: AdminAction['details'], outcome: Outcome | undefined, stale: readonly string[]) =>
    outcome === undefined
      ? prisma.auditLog.delete({ where: { id } })
      : prisma.$transaction([
          prisma.auditLog.update({ where: { id }, data: { details: { ...details, outcome } } }),
          prisma.$executeRaw`SELECT pg_notify(${INVALIDATION_CHANNEL}, ${invalidationNotice(stale)})`,
        ])

  async function perform<T>({ stale, details, ...action }: AdminAction, carryOut: () => Promise<T>): Promise<T> {
    const { id } = await prisma.auditLog.create({ data: { ...action, details: { ...details, outcome: 'pending' } }, select: { id: true } })
    let outcome: Outcome | undefined
    let result: { value: T } | { failure: unknown }
    try {
      result = { value: await carryOut() }
      outcome = 'done'
    } catch (failure) {
      result = { failure }
      outcome = mayHaveTakenEffect(failure) ? 'unconfirmed' : undefined
    }
    await settle(id, details, outcome, stale).catch((error: unknown) =>
      log.error({ err: error, ...action, auditId: String(id), outcome }, 'an admin action ended but its audit row stays pending'),
    )
    if ('value' in result) return result.value
    if (outcome === 'unconfirmed') log.warn({ err: result.failure, ...action }, 'an admin action may or may not have taken effect')
    throw result.failure
  }

  return {
    perform,

    /** Newest first; `nextCursor` is the id to continue below. */
    async list({ limit, cursor }: AuditQuery) {
      const rows = await prisma.auditLog.findMany({
        where: cursor === undefined ? {} : { id: { lt: BigInt(cursor) } },
        orderBy: { id: 'desc' },
        take: limit + 1,
      })
      const items = rows.slice(0, limit).map((row) => ({
        ...row,
        id: String(row.id),
        details: row.details as Record<string, unknown>,
        createdAt: row.createdAt.toISOString(),
      }))
      return { items, nextCursor: rows.length > limit ? (items.at(-1)?.id ?? null) : null }
    },
  }
}

export type AuditLog = ReturnType<typeof createAuditLog>

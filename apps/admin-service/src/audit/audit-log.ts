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

type Dependencies = { prisma: PrismaClient; upstreamTimeoutMs: number; log: FastifyBaseLogger }

export type AuditQuery = { limit: number; cursor?: string }

/**
 * Admin actions and their audit rows. An action runs inside the transaction that writes its row and
 * the notice that drops the stale cache entries on every instance, so a database that is down stops
 * the action before it starts, and nothing is announced that did not commit. An upstream that took
 * the request but did not answer may have carried it out: that is recorded as "unconfirmed" rather
 * than left out, and the request still fails.
 */
export function createAuditLog({ prisma, upstreamTimeoutMs, log }: Dependencies) {
  async function perform<T>({ stale, details, ...action }: AdminAction, carryOut: () => Promise<T>): Promise<T> {
    const { result, failure } = await prisma.$transaction(
      async (tx) => {
        const done = await carryOut().then(
          (result) => ({ result, failure: undefined }),
          (failure: unknown) => {
            if (!mayHaveTakenEffect(failure)) throw failure
            return { result: undefined, failure }
          },
        )
        const outcome = done.failure ? 'unconfirmed' : 'done'
        await tx.auditLog.create({ data: { ...action, details: { ...details, outcome } } })
        await tx.$executeRaw`SELECT pg_notify(${INVALIDATION_CHANNEL}, ${invalidationNotice(stale)})`
        return done
      },
      { maxWait: 2000, timeout: upstreamTimeoutMs + 3000 },
    )
    if (failure) {
      log.warn({ err: failure, ...action }, 'an admin action may or may not have taken effect; recorded as unconfirmed')
      throw failure
    }
    return result as T
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

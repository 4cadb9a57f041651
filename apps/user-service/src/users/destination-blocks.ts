import { setTimeout as sleep } from 'node:timers/promises'
import { serviceAuthorization, type TokenService } from '@otp-suite/jwt'
import { createInstances } from '@otp-suite/service-kit'
import type { FastifyBaseLogger } from 'fastify'
import type { DestinationBlock, PrismaClient, User } from '../generated/prisma/client.ts'
import type { Transaction } from '../sessions/tokens.ts'

type Dependencies = { prisma: PrismaClient; tokens: TokenService; otpServiceUrls: string[]; timeoutMs: number; log: FastifyBaseLogger }

/** Most queued changes one run sends; the rest wait for the next run. */
const BATCH = 20
/** How long a send waits for another instance's under way, and how often it looks. */
const LOCK_WAIT_MS = 5_000
const LOCK_POLL_MS = 100

/** otp-service refused the change itself (it will refuse it again): it is set aside, not retried. */
class RefusedBlock extends Error {}

/**
 * `run`, one call at a time: a call while one is under way gets the one run after it, shared by
 * every call made meanwhile (it takes whatever they came for), so a burst costs two runs, not one each.
 */
export function oneRunAtATime<T>(run: () => Promise<T>): () => Promise<T> {
  let current: Promise<T> | undefined
  let next: Promise<T> | undefined
  const call = (): Promise<T> => {
    if (!current) {
      current = run().finally(() => {
        current = undefined
      })
      return current
    }
    next ??= current
      .catch(() => {})
      .then(() => {
        next = undefined
        return call()
      })
    return next
  }
  return call
}

/**
 * A banned user gets no more codes: their phone and email are blocked in otp-service, and unblocked
 * when the ban is lifted. Each change is queued in the transaction that bans or unbans, then sent
 * at once and, should otp-service be unreachable, again by a repeating job until it lands. Changes
 * go oldest first, by one run at a time across instances (a transaction lock the next run waits
 * for), and a failure stops the run, so a ban and the unban after it never arrive swapped.
 */
export function createDestinationBlocks({ prisma, tokens, otpServiceUrls, timeoutMs, log }: Dependencies) {
  const authorization = serviceAuthorization(tokens, 'user-service')
  const viaInstances = createInstances(otpServiceUrls)
  async function put(block: DestinationBlock, otpServiceUrl: string) {
    const response = await fetch(new URL('/internal/v1/blocked-destinations', otpServiceUrl), {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: authorization() },
      body: JSON.stringify({ destinations: block.destinations, blocked: block.blocked }),
      signal: AbortSignal.timeout(timeoutMs),
    })
    if (response.status === 204) return
    const message = `otp-service answered ${response.status}: ${(await response.text()).slice(0, 200)}`
    throw response.status === 400 ? new RefusedBlock(message) : new Error(message)
  }
  // Setting a block is the same however often it is done: any instance may be asked, and the next
  // one is, whatever went wrong, but a refusal (which every instance would repeat).
  const deliver = (block: DestinationBlock) =>
    viaInstances(
      (url) => put(block, url),
      (error) => !(error instanceof RefusedBlock),
    )

  /** One send of what is queued, unless another instance's is under way (null then); returns how many changes otp-service took. */
  const sendOnce = () =>
    prisma.$transaction(
      async (tx) => {
        const [lock] = await tx.$queryRaw<
          { taken: boolean }[]
        >`SELECT pg_try_advisory_xact_lock(hashtextextended('destination_blocks', 0)) AS taken`
        if (!lock?.taken) return null
        let sent = 0
        for (const block of await tx.destinationBlock.findMany({ orderBy: { id: 'asc' }, take: BATCH })) {
          try {
            await deliver(block)
            sent++
          } catch (error) {
            if (!(error instanceof RefusedBlock)) {
              const lastError = String((error as Error).message).slice(0, 500)
              await tx.destinationBlock.update({ where: { id: block.id }, data: { attempts: { increment: 1 }, lastError } })
              log.warn({ err: error, attempts: block.attempts + 1 }, 'otp-service did not take a destination block; retrying later')
              break
            }
            log.error({ err: error, destinations: block.destinations }, 'otp-service refused a destination block; it is dropped')
          }
          await tx.destinationBlock.delete({ where: { id: block.id } })
        }
        return sent
      },
      { timeout: (BATCH + 2) * timeoutMs },
    )

  /**
   * Sends what is queued. Another instance's send under way is waited for, not skipped: it may
   * have read the queue before this change was queued, and a ban should not wait for the next
   * retry. Its end is polled for, holding no connection meanwhile; one still under way after
   * LOCK_WAIT_MS is a slow one (otp-service struggling), and the repeating job takes over.
   */
  async function sendQueued(): Promise<number> {
    const giveUpAt = Date.now() + LOCK_WAIT_MS
    for (;;) {
      const sent = await sendOnce()
      if (sent !== null) return sent
      if (Date.now() >= giveUpAt) return 0
      await sleep(LOCK_POLL_MS)
    }
  }

  // One send at a time on this instance, so bans in a burst poll as one, not one each.
  const flush = oneRunAtATime(sendQueued)

  return {
    /** Queues blocking (or unblocking) `user`'s destinations, inside the caller's transaction. */
    async queue(tx: Transaction, user: User, blocked: boolean) {
      const destinations = [
        ...(user.phone ? [{ channel: 'sms', to: user.phone }] : []),
        ...(user.email ? [{ channel: 'email', to: user.email }] : []),
      ]
      if (destinations.length > 0) await tx.destinationBlock.create({ data: { destinations, blocked } })
    },

    flush,

    /** Sends what is queued, without waiting; a failure is the repeating job's to retry. */
    flushSoon() {
      flush().catch((error: unknown) => log.warn({ err: error }, 'destination blocks not sent; the repeating job retries'))
    },
  }
}

export type DestinationBlocks = ReturnType<typeof createDestinationBlocks>

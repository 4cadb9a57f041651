import { type Channel, identifyDestination, type PhonePolicy } from '@otp-suite/destination'
import type { PrismaClient } from '../generated/prisma/client.ts'

export type DestinationEntry = { channel: Channel; to: string }

/**
 * The destinations no code may be sent to (a banned user's phone and email). Sends check the
 * table inside their own statement (otp_issue_one); this only writes it. Not a hot path, so plain
 * model calls.
 */
export function createBlockedDestinations(prisma: PrismaClient, phones: Pick<PhonePolicy, 'defaultRegion' | 'validation'>) {
  return {
    /** Blocks or unblocks every entry, or none of them: all are normalized before anything is written. */
    async set(entries: readonly DestinationEntry[], blocked: boolean): Promise<void> {
      // A banned user's number must be blockable whatever SMS may reach today, and stay blocked if
      // those rules change.
      const keys = entries.map(({ channel, to }) => identifyDestination(to, phones, channel))
      if (keys.length === 0) return
      // One statement each, and both idempotent, since the caller retries until one lands.
      if (blocked) await prisma.otpBlockedDestination.createMany({ data: keys, skipDuplicates: true })
      else await prisma.otpBlockedDestination.deleteMany({ where: { OR: keys } })
    },
  }
}

export type BlockedDestinations = ReturnType<typeof createBlockedDestinations>

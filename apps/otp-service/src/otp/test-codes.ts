import { type Channel, identifyDestination, type PhonePolicy } from '@otp-suite/destination'
import type { FastifyBaseLogger } from 'fastify'
import type { OtpServiceConfig } from '../config.ts'

/**
 * `OTP_TEST_CODES="+15550000001:123456,qa@example.com:654321"` → normalized destination → code.
 * Fixed codes skip delivery and the per-destination limits, so in production they are a backdoor
 * unless meant (store-review accounts): refused there without OTP_ALLOW_TEST_CODES=true, and
 * announced at start by their number, never their codes.
 */
export function loadTestCodes(config: OtpServiceConfig, policy: PhonePolicy, log: FastifyBaseLogger) {
  const codes = new Map<string, string>()
  // A test number need not be of a type or country SMS may go to: it is never delivered.
  for (const entry of config.OTP_TEST_CODES.split(',')
    .map((item) => item.trim())
    .filter(Boolean)) {
    const separator = entry.lastIndexOf(':')
    const destination = entry.slice(0, separator)
    const code = entry.slice(separator + 1)
    if (separator < 1 || !new RegExp(`^\\d{${config.OTP_LENGTH}}$`).test(code)) {
      throw new Error(`Invalid configuration: OTP_TEST_CODES entry "${destination}" needs a code of ${config.OTP_LENGTH} digits`)
    }
    codes.set(identifyDestination(destination, policy).destination, code)
  }
  if (codes.size > 0 && config.NODE_ENV === 'production') {
    if (!config.OTP_ALLOW_TEST_CODES) {
      throw new Error('Invalid configuration: OTP_TEST_CODES in production needs OTP_ALLOW_TEST_CODES=true')
    }
    log.warn({ testDestinations: codes.size }, 'Fixed test codes are enabled for some destinations')
  }
  return {
    /** Normalized test destination → its code. */
    codes: codes as ReadonlyMap<string, string>,
    /** `to` normalized, when it is a test destination (whatever the SMS policy says of it). */
    destinationOf(channel: Channel, to: string): string | undefined {
      if (codes.size === 0) return undefined
      try {
        const { destination } = identifyDestination(to, policy, channel)
        return codes.has(destination) ? destination : undefined
      } catch {
        return undefined
      }
    },
  }
}

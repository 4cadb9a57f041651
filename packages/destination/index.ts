/**
 * What a one-time code is sent to, and the one set of rules that turns what a person typed into
 * the form the suite stores, limits, signs and compares: E.164 for phones, a bare lower-case
 * address with an ASCII domain for emails. otp-service normalizes with it before it sends a code,
 * user-service before it matches a proof's subject or an address against stored users.
 */

export { normalizeEmail } from './lib/email.ts'
export { type DestinationError, errors } from './lib/errors.ts'
export {
  CHANNELS,
  type Channel,
  ChannelSchema,
  PrintableText,
  PURPOSES,
  type Purpose,
  PurposeSchema,
  USER_TYPES,
  type UserType,
  UserTypeSchema,
  VisibleText,
} from './lib/kinds.ts'
export {
  normalizePhone,
  type PhoneNumberType,
  type PhonePolicy,
  parseAllowedCountries,
  parsePhoneTypes,
  readPhone,
} from './lib/phone.ts'

import { normalizeEmail } from './lib/email.ts'
import type { Channel } from './lib/kinds.ts'
import { normalizePhone, type PhonePolicy } from './lib/phone.ts'

/** The stored, limited and signed form of a destination on `channel`. */
export function normalizeDestination(channel: Channel, input: string, policy: PhonePolicy): string {
  return channel === 'sms' ? normalizePhone(input, policy) : normalizeEmail(input)
}

const noRules: ReadonlySet<never> = new Set()

/**
 * A destination that configuration or an operator names (test codes, bootstrap admins, blocks), in
 * the form sends store, but read without the SMS country and number-type rules: those decide where
 * codes may go, not who someone is. Without a channel, one with an "@" is an email.
 */
export function identifyDestination(
  input: string,
  phones: Pick<PhonePolicy, 'defaultRegion' | 'validation'>,
  channel: Channel = input.includes('@') ? 'email' : 'sms',
): { channel: Channel; destination: string } {
  return { channel, destination: normalizeDestination(channel, input, { ...phones, allowedCountries: noRules, blockedTypes: noRules }) }
}

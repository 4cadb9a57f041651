import type { CountryCode } from 'libphonenumber-js/max'
import { parsePhoneNumberFromString } from 'libphonenumber-js/max'
import { LRUCache } from 'lru-cache'
import { errors } from '../errors.ts'

export type Channel = 'sms' | 'email'

export type PhonePolicy = {
  defaultRegion: string
  validation: 'possible' | 'strict'
  /** Calling codes SMS may go to; empty allows all. */
  allowedCountries: ReadonlySet<string>
}

// Deliberately simple: one @, no spaces, a dot in the domain. Deliverability is proven by the code itself.
const emailShape = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]+$/

export function normalizeEmail(input: string): string {
  const email = input.trim().toLowerCase()
  if (email.length > 254 || !emailShape.test(email)) throw new errors.INVALID_EMAIL()
  return email
}

type ParsedPhone = { number: string; countryCallingCode: string } | 'invalid'

// Parsing is among the costliest steps of a request (6 µs for a valid number, more for one no
// country claims), and a verify repeats the send's input.
const parsedPhones = new LRUCache<string, ParsedPhone>({ max: 10_000 })

function parsePhone(input: string, policy: PhonePolicy): ParsedPhone {
  const key = `${policy.defaultRegion} ${policy.validation} ${input}`
  let parsed = parsedPhones.get(key)
  if (!parsed) {
    const phone = parsePhoneNumberFromString(input.trim(), { defaultCountry: policy.defaultRegion as CountryCode })
    const acceptable = phone && (policy.validation === 'strict' ? phone.isValid() : phone.isPossible())
    parsed = phone && acceptable ? { number: phone.number, countryCallingCode: phone.countryCallingCode } : 'invalid'
    parsedPhones.set(key, parsed)
  }
  return parsed
}

export function normalizePhone(input: string, policy: PhonePolicy): string {
  const phone = parsePhone(input, policy)
  if (phone === 'invalid') throw new errors.INVALID_PHONE('The phone number is not valid')
  if (policy.allowedCountries.size > 0 && !policy.allowedCountries.has(phone.countryCallingCode)) {
    throw new errors.PHONE_COUNTRY_NOT_ALLOWED(phone.countryCallingCode)
  }
  return phone.number
}

/** The stored, limited and signed form of a destination: E.164 for phones, lower-cased for emails. */
export function normalizeDestination(channel: Channel, input: string, policy: PhonePolicy): string {
  return channel === 'sms' ? normalizePhone(input, policy) : normalizeEmail(input)
}

export function parseAllowedCountries(list: string): ReadonlySet<string> {
  return new Set(list.split(',').filter(Boolean))
}

import { type CountryCode, type NumberType, parsePhoneNumberFromString } from 'libphonenumber-js/max'
import { LRUCache } from 'lru-cache'
import { errors } from './errors.ts'

/**
 * libphonenumber's number types, plus `NON_GEOGRAPHIC` (global services such as satellite
 * networks, +881, +870, +882/883, which belong to no country and are priced as premium) and
 * `UNKNOWN` (a possible number that matches no known range).
 */
export type PhoneNumberType = NonNullable<NumberType> | 'NON_GEOGRAPHIC' | 'UNKNOWN'

const KNOWN_TYPES: readonly PhoneNumberType[] = [
  'FIXED_LINE',
  'MOBILE',
  'FIXED_LINE_OR_MOBILE',
  'TOLL_FREE',
  'PREMIUM_RATE',
  'SHARED_COST',
  'VOIP',
  'PERSONAL_NUMBER',
  'PAGER',
  'UAN',
  'VOICEMAIL',
  'NON_GEOGRAPHIC',
  'UNKNOWN',
]

export type PhonePolicy = {
  /** Where a number written without a country code is read. */
  defaultRegion: string
  /** `possible` checks a number's length for its country; `strict` also its ranges. */
  validation: 'possible' | 'strict'
  /** Calling codes SMS may go to; empty allows all. */
  allowedCountries: ReadonlySet<string>
  /** Number types SMS may not go to (those that cost money to reach). */
  blockedTypes: ReadonlySet<PhoneNumberType>
}

/** `type` is only worked out when the policy blocks some types: it costs as much again as the parse. */
type ParsedPhone = { number: string; countryCallingCode: string; type?: PhoneNumberType } | 'invalid'

// Parsing and typing are among the costliest steps of a request (bench/phone-types.ts), and a
// verify repeats the send's input: each input is worked out once.
const parsedPhones = new LRUCache<string, ParsedPhone>({ max: 10_000 })

function parsePhone(input: string, policy: PhonePolicy): ParsedPhone {
  const typed = policy.blockedTypes.size > 0
  const key = `${policy.defaultRegion} ${policy.validation} ${typed} ${input}`
  let parsed = parsedPhones.get(key)
  if (!parsed) {
    const phone = parsePhoneNumberFromString(input.trim(), { defaultCountry: policy.defaultRegion as CountryCode })
    const acceptable = phone && (policy.validation === 'strict' ? phone.isValid() : phone.isPossible())
    parsed =
      phone && acceptable
        ? {
            number: phone.number,
            countryCallingCode: phone.countryCallingCode,
            type: typed ? (phone.isNonGeographic() ? 'NON_GEOGRAPHIC' : (phone.getType() ?? 'UNKNOWN')) : undefined,
          }
        : 'invalid'
    parsedPhones.set(key, parsed)
  }
  return parsed
}

/** The number in E.164 and its country calling code, or a 400 naming why it is refused. */
export function readPhone(input: string, policy: PhonePolicy): { number: string; countryCallingCode: string } {
  const phone = parsePhone(input, policy)
  if (phone === 'invalid') throw new errors.INVALID_PHONE()
  if (policy.allowedCountries.size > 0 && !policy.allowedCountries.has(phone.countryCallingCode)) {
    throw new errors.PHONE_COUNTRY_NOT_ALLOWED(phone.countryCallingCode)
  }
  if (phone.type && policy.blockedTypes.has(phone.type))
    throw new errors.PHONE_TYPE_NOT_ALLOWED(phone.type.toLowerCase().replaceAll('_', ' '))
  return phone
}

export function normalizePhone(input: string, policy: PhonePolicy): string {
  return readPhone(input, policy).number
}

export function parseAllowedCountries(list: string): ReadonlySet<string> {
  return new Set(list.split(',').filter(Boolean))
}

/** `"PREMIUM_RATE,SHARED_COST"` → a set; an unknown name fails at boot. */
export function parsePhoneTypes(list: string): ReadonlySet<PhoneNumberType> {
  const names = list
    .split(',')
    .map((name) => name.trim().toUpperCase())
    .filter(Boolean)
  for (const name of names) {
    if (!KNOWN_TYPES.includes(name as PhoneNumberType))
      throw new Error(`unknown phone number type "${name}" (known: ${KNOWN_TYPES.join(', ')})`)
  }
  return new Set(names as PhoneNumberType[])
}

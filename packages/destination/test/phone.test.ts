import t from 'tap'
import { identifyDestination, normalizePhone, type PhonePolicy, parseAllowedCountries, parsePhoneTypes, readPhone } from '../index.ts'

const policy = (overrides: Partial<PhonePolicy> = {}): PhonePolicy => ({
  defaultRegion: 'US',
  validation: 'possible',
  allowedCountries: new Set(),
  blockedTypes: parsePhoneTypes('PREMIUM_RATE,SHARED_COST,PERSONAL_NUMBER,NON_GEOGRAPHIC'),
  ...overrides,
})

t.test('numbers in any common form become E.164', async (t) => {
  t.equal(normalizePhone('(415) 555-4001', policy()), '+14155554001')
  t.equal(normalizePhone('+1 415 555 4001', policy()), '+14155554001')
  t.equal(normalizePhone('020 7946 0018', policy({ defaultRegion: 'GB' })), '+442079460018')
  t.same(readPhone('+44 7911 123456', policy()), { number: '+447911123456', countryCallingCode: '44', type: 'MOBILE' })
})

t.test('numbers that cost money to reach are refused', async (t) => {
  const costly: [string, string][] = [
    ['+1 900 555 1234', 'premium rate'],
    ['+44 909 876 5432', 'premium rate'],
    ['+44 70 3123 4567', 'personal number'],
    ['+881 6 3123 4567', 'non geographic'],
    ['+870 772 001 899', 'non geographic'],
    ['+883 510 012 345', 'non geographic'],
  ]
  for (const [input, type] of costly) {
    t.throws(() => normalizePhone(input, policy()), { code: 'PHONE_TYPE_NOT_ALLOWED', statusCode: 400, message: new RegExp(type) }, input)
  }
  t.equal(normalizePhone('+1 900 555 1234', policy({ blockedTypes: new Set() })), '+19005551234', 'unless the operator allows them')
})

t.test('country allow-list and bad numbers', async (t) => {
  const onlyUs = policy({ allowedCountries: parseAllowedCountries('1') })
  t.throws(() => normalizePhone('+44 7911 123456', onlyUs), { code: 'PHONE_COUNTRY_NOT_ALLOWED' })
  for (const input of ['call me', '+1 415', '+999 1234 5678', '']) {
    t.throws(() => normalizePhone(input, policy()), { code: 'INVALID_PHONE' }, input)
  }
})

t.test('type names are checked at boot', async (t) => {
  t.same([...parsePhoneTypes(' premium_rate, UAN ,')], ['PREMIUM_RATE', 'UAN'])
  t.throws(() => parsePhoneTypes('PREMIUM,UAN'), /unknown phone number type "PREMIUM"/)
})

t.test('a destination named by configuration is read without the SMS rules, its channel guessed', async (t) => {
  const phones = { defaultRegion: 'US', validation: 'possible' as const }
  t.same(
    identifyDestination('1 (900) 555-1234', phones),
    { channel: 'sms', destination: '+19005551234' },
    'a premium number is still somebody',
  )
  t.same(identifyDestination(' Ops@Example.com', phones), { channel: 'email', destination: 'ops@example.com' })
  t.throws(() => identifyDestination('ops@example.com', phones, 'sms'), { code: 'INVALID_PHONE' }, 'a given channel is not second-guessed')
})

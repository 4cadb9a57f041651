// What reading a phone number costs per request, with and without the number-type check, for a
// number seen for the first time (parsed) and again (the verify after a send: cached).
// Usage: pnpm -C packages/destination bench
import { normalizePhone, type PhonePolicy, parsePhoneTypes } from '../index.ts'

const base: PhonePolicy = { defaultRegion: 'US', validation: 'possible', allowedCountries: new Set(), blockedTypes: new Set() }
const policies = {
  'no type check': base,
  'type check (defaults)': { ...base, blockedTypes: parsePhoneTypes('PREMIUM_RATE,SHARED_COST,PERSONAL_NUMBER,NON_GEOGRAPHIC') },
}
const count = 5000
let series = 0
// Fresh, valid numbers each run, so the cache starts cold: US and UK mobiles, and numbers in other forms.
const numbers = () => {
  series++
  return Array.from({ length: count }, (_, i) => {
    const n = String(series * count + i).padStart(7, '0')
    return i % 3 === 0 ? `+1 (415) ${n.slice(0, 3)}-${n.slice(3)}` : i % 3 === 1 ? `+4479${n}1` : `+4915${n}12`
  })
}
const microseconds = (run: () => void) => {
  const started = process.hrtime.bigint()
  run()
  return Number(process.hrtime.bigint() - started) / 1000 / count
}

for (let round = 1; round <= 3; round++) {
  for (const [name, policy] of Object.entries(policies)) {
    const list = numbers()
    const readAll = () => {
      for (const input of list) normalizePhone(input, policy)
    }
    const cold = microseconds(readAll)
    const warm = microseconds(readAll)
    console.log(`round ${round}  ${name.padEnd(22)} first time ${cold.toFixed(1).padStart(5)} µs   cached ${warm.toFixed(2)} µs`)
  }
}

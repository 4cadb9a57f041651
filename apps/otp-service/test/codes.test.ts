import t from 'tap'
import { generateCode } from '../src/otp/codes.ts'

t.test('codes have exactly the configured number of digits, leading zeros included', async (t) => {
  for (let length = 4; length <= 10; length++) {
    const codes = Array.from({ length: 200 }, () => generateCode(length))
    t.ok(
      codes.every((code) => new RegExp(`^[0-9]{${length}}$`).test(code)),
      `${length} digits`,
    )
  }
})

t.test('every digit is equally likely in every position', async (t) => {
  const draws = 20_000
  const counts = new Map<string, number>()
  for (let i = 0; i < draws; i++) {
    const code = generateCode(6)
    for (let position = 0; position < 6; position++) {
      const key = `position ${position}: ${code[position]}`
      counts.set(key, (counts.get(key) ?? 0) + 1)
    }
  }
  t.equal(counts.size, 60, 'every digit turns up in every position')
  // Expected 2,000 per digit and position; 15% off is more than 6 standard deviations.
  const off = [...counts].filter(([, count]) => Math.abs(count - draws / 10) > (draws / 10) * 0.15)
  t.same(off, [], 'no digit is over- or under-drawn in any position')
})

import { createHmac, randomInt } from 'node:crypto'
import type { Channel } from './destination.ts'

export type UserType = 'live' | 'demo'
/** What a code is bound to: it verifies nothing else. */
export type OtpKey = { channel: Channel; destination: string; purpose: string; userType: UserType }

/** Uniform random digits from the CSPRNG: one draw below 10^length (randomInt rejects modulo bias). */
export function generateCode(length: number): string {
  return String(randomInt(10 ** length)).padStart(length, '0')
}

/**
 * The stored form of a code: an HMAC keyed by the pepper over the whole key and the code, so a
 * leaked table reveals nothing and a code is bound to the one destination and purpose it was sent for.
 */
export function hashCode(pepper: string, key: OtpKey, code: string): Buffer {
  return createHmac('sha256', pepper).update(`${key.channel}\n${key.destination}\n${key.purpose}\n${key.userType}\n${code}`).digest()
}

/** `OTP_TEST_CODES="+15550000001:123456,qa@example.com:654321"` → normalized destination → code. */
export function parseTestCodes(list: string, normalize: (destination: string) => string): ReadonlyMap<string, string> {
  const codes = new Map<string, string>()
  for (const entry of list
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)) {
    const separator = entry.lastIndexOf(':')
    const code = entry.slice(separator + 1)
    if (separator < 1 || !/^\d{4,10}$/.test(code)) throw new Error(`OTP_TEST_CODES: bad entry "${entry}"`)
    codes.set(normalize(entry.slice(0, separator)), code)
  }
  return codes
}

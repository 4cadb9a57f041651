import { createHmac, createSecretKey, type KeyObject, randomInt } from 'node:crypto'
import type { Channel, Purpose, UserType } from '@otp-suite/destination'

/** What a code is bound to: it verifies nothing else. */
export type OtpKey = { channel: Channel; destination: string; purpose: Purpose; userType: UserType }

/** Uniform random digits from the CSPRNG: one draw below 10^length (randomInt rejects modulo bias). */
export function generateCode(length: number): string {
  return String(randomInt(10 ** length)).padStart(length, '0')
}

/** The pepper as a key, made once: an HMAC keyed by it does not prepare the key again on every call. */
export const pepperKey = (pepper: string): KeyObject => createSecretKey(Buffer.from(pepper, 'utf8'))

/**
 * The stored form of a code: an HMAC keyed by the pepper over the whole key and the code, so a
 * leaked table reveals nothing and a code is bound to the one destination and purpose it was sent for.
 */
export function hashCode(pepper: KeyObject, key: OtpKey, code: string): Buffer {
  return createHmac('sha256', pepper).update(`${key.channel}\n${key.destination}\n${key.purpose}\n${key.userType}\n${code}`).digest()
}

import { createHmac, randomBytes } from 'node:crypto'
import type { TokenClaims } from '../index.ts'

/** A fresh random secret; tests never share keys or read them from fixtures. */
export const randomSecret = (bytes = 32) => randomBytes(bytes).toString('base64url')

type Json = Record<string, unknown>

const encode = (value: Json) => Buffer.from(JSON.stringify(value)).toString('base64url')

export function partsOf(token: string) {
  const [header = '', payload = '', signature = ''] = token.split('.')
  const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString()) as Json
  return { header: decode(header), payload: decode(payload), rawHeader: header, signature }
}

/**
 * Re-signs a genuine token with some header or payload fields changed, the way an attacker who
 * holds `secret` (or a buggy issuer) would; alg "none" yields an unsigned token.
 */
export function forge(token: string, secret: string, change: { header?: Json; payload?: Json }) {
  const { header, payload } = partsOf(token)
  const newHeader = { ...header, ...change.header }
  const input = `${encode(newHeader)}.${encode({ ...payload, ...change.payload })}`
  if (newHeader.alg === 'none') return `${input}.`
  const hash = newHeader.alg === 'HS512' ? 'sha512' : 'sha256'
  return `${input}.${createHmac(hash, secret).update(input).digest('base64url')}`
}

/** Swaps the payload but keeps the original signature: what tampering without the key looks like. */
export function tamper(token: string, payloadChange: Json) {
  const { payload, rawHeader, signature } = partsOf(token)
  return `${rawHeader}.${encode({ ...payload, ...payloadChange })}.${signature}`
}

export const nowSeconds = () => Math.floor(Date.now() / 1000)

/** Valid claims for every kind. */
export const SAMPLE_CLAIMS: TokenClaims = {
  access: { sub: 'user-1', role: 'admin', userType: 'live', sid: 'session-1' },
  refresh: { sub: 'user-1', sid: 'session-1' },
  otp_proof: { sub: '+15551234567', channel: 'sms', purpose: 'login', userType: 'demo' },
  email_verify: { sub: 'user-1', email: 'a@example.com' },
  service: { sub: 'admin-service' },
}

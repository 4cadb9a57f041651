import type { TokenService } from './token-service.ts'

/**
 * The Authorization header a service sends to another: one service token, signed once and reused
 * until half its lifetime has passed, so every call neither signs nor makes the callee verify a new
 * token (the callee remembers tokens it already verified).
 */
export function serviceAuthorization(tokens: TokenService, service: string): () => string {
  let header = ''
  let renewAt = 0
  return () => {
    const now = Date.now()
    if (now >= renewAt) {
      const { token, expiresIn } = tokens.sign('service', { sub: service })
      header = `Bearer ${token}`
      renewAt = now + (expiresIn * 1000) / 2
    }
    return header
  }
}

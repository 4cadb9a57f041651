import { isIP } from 'node:net'
import type { FastifyRequest } from 'fastify'

/**
 * The client's address as the trusted proxies tell it, when what they tell is an address at all;
 * otherwise (a malformed X-Forwarded-For entry) the address of the connecting peer.
 */
export function clientAddress(request: FastifyRequest): string | null {
  return isIP(request.ip) ? request.ip : (request.socket.remoteAddress ?? null)
}

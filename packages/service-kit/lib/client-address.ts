import type { FastifyRequest } from 'fastify'
import ipaddr from 'ipaddr.js'

// The longest plain IPv6 text (with an IPv4 tail, e.g. ffff:…:255.255.255.255) is 45 characters;
// anything longer is not worth parsing.
const MAX_ADDRESS_LENGTH = 45

/**
 * The key per-address limits count by, or null when `value` is not a plain address (zone ids,
 * ports, brackets, leading zeros, anything else). An IPv6 host is usually handed a whole /64, so
 * counting single IPv6 addresses would let it pick a fresh one per request.
 */
function limitKey(value: string | undefined): string | null {
  if (value === undefined || value.length > MAX_ADDRESS_LENGTH) return null
  // Four plain decimal parts are already the one way to write that address.
  if (ipaddr.IPv4.isValidFourPartDecimal(value)) return value
  if (!ipaddr.IPv6.isValid(value)) return null
  const address = ipaddr.IPv6.parse(value)
  if (address.zoneId !== undefined) return null
  if (address.isIPv4MappedAddress()) return address.toIPv4Address().toString()
  return `${new ipaddr.IPv6(address.parts.slice(0, 4).concat([0, 0, 0, 0])).toString()}/64`
}

/**
 * Who the request counts against: the client address the trusted proxies report
 * (TRUSTED_PROXIES), else the connecting peer's, as an IPv4 address or an IPv6 /64 network.
 * A forwarded entry that is no plain address falls back to the peer, so a malformed header can
 * neither break a request nor mint a fresh key.
 */
export function clientAddress(request: FastifyRequest): string | null {
  return limitKey(request.ip) ?? limitKey(request.socket.remoteAddress)
}

import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

const acceptableRequestId = /^[\w.:-]{1,128}$/

/** Keeps a caller's x-request-id when it is safe to log as is, else makes one. */
export function requestIdFrom(request: IncomingMessage): string {
  const incoming = request.headers['x-request-id']
  return typeof incoming === 'string' && acceptableRequestId.test(incoming) ? incoming : randomUUID()
}

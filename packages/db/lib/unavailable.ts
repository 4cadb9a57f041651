import { BatchWaitTimeout } from './batched.ts'

// Refused, reset, broken or timed-out connections, and a host that cannot be reached or (for now) resolved.
const SOCKET_CODES = new Set([
  ...['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT'],
  ...['EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN'],
])
// 57P01-03: admin/crash shutdown, cannot connect now; 53300: too many connections; 57014: a
// statement cancelled, here by the statement timeout of a database too slow to answer.
const SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', '57014'])
// Kinds @prisma/driver-adapter-utils gives connection failures it has already mapped.
const ADAPTER_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections'])
// Prisma client error codes for "can't reach", "timed out", "server closed the connection".
const PRISMA_CODES = new Set(['P1001', 'P1002', 'P1017'])
// Prisma's P2028 (a TransactionManagerError) when no connection came in time to start a
// transaction (its maxWait: every pooled connection taken, or a database that does not answer),
// or when one ran past its timeout; its other P2028s are the program's own mistakes.
const PRISMA_TRANSACTION_STARVED = /Unable to start a transaction in the given time|executed on an expired transaction/
// pg's own messages: a dropped connection, no connection in time, a silent server, and a client
// whose connection broke (its next statement, a transaction's ROLLBACK say, fails at once).
const PG_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Query read timeout|encountered a connection error and is not queryable/

function isUnavailableCode(code: unknown): boolean {
  if (typeof code !== 'string') return false
  return SOCKET_CODES.has(code) || SQLSTATES.has(code) || PRISMA_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code)
}

function isUnavailableOne(err: object): boolean {
  const { code, message, kind, originalCode } = err as Record<string, unknown>
  return (
    err instanceof BatchWaitTimeout ||
    isUnavailableCode(code) ||
    isUnavailableCode(originalCode) ||
    (typeof kind === 'string' && ADAPTER_KINDS.has(kind)) ||
    (typeof message === 'string' && (PG_MESSAGES.test(message) || (code === 'P2028' && PRISMA_TRANSACTION_STARVED.test(message))))
  )
}

/**
 * True when `err` means the database could not be reached or dropped the connection, as
 * thrown by `pg` or by Prisma 7 with adapter-pg. Prisma throws either pg's own error
 * unchanged (connect timeout, connection closed) or a PrismaClientKnownRequestError (P1001,
 * or P2010 for raw queries) whose `meta.driverAdapterError.cause` is
 * `{ kind: 'DatabaseNotReachable' }` or `{ kind: 'postgres', code: '57P01' }`.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  const pending: unknown[] = [err]
  const seen = new Set<object>()
  while (pending.length > 0) {
    const current = pending.pop()
    if (typeof current !== 'object' || current === null || seen.has(current)) continue
    seen.add(current)
    if (isUnavailableOne(current)) return true
    const { cause, meta } = current as { cause?: unknown; meta?: { driverAdapterError?: unknown } }
    // Prisma keeps the adapter's error in `meta` (its `cause` holds the mapped kind/SQLSTATE).
    pending.push(cause, meta?.driverAdapterError)
    if (current instanceof AggregateError) pending.push(...current.errors)
  }
  return false
}

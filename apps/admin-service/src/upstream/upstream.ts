import { createInstances, neverSent } from '@otp-suite/service-kit'
import { Pool } from 'undici'
import { errors } from '../errors.ts'

export type UpstreamOptions = {
  /** Names the upstream in errors and logs: "user-service". */
  name: string
  /** Its instances: the next is tried when one cannot be reached. */
  urls: string[]
  timeoutMs: number
  connections: number
  /** The service Authorization header to send. */
  authorization: () => string
}

type Call = { query?: Record<string, string | number | undefined>; body?: unknown }

/** A refusal of the caller's own request that the upstream gave: passed on as it came. */
class UpstreamRefusal extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}
/** The refusals of the upstream that are the caller's to see; any other is this service's problem, logged. */
const PASSED_ON = new Set(['USER_NOT_FOUND', 'VALIDATION_ERROR'])

/**
 * True when `error` (from `call`) leaves open whether the upstream carried the request out: it is
 * false only for an answer refusing it (a 4xx) and for a request that never left.
 */
export function mayHaveTakenEffect(error: unknown): boolean {
  if (error instanceof UpstreamRefusal) return false
  if (!(error instanceof errors.UPSTREAM_UNAVAILABLE)) return true
  const cause = (error as { cause?: { code?: string; statusCode?: number } }).cause
  const refused = cause?.statusCode !== undefined && cause.statusCode >= 400 && cause.statusCode < 500
  return !refused && !neverSent(cause)
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/**
 * One service behind this one, over keep-alive connections. Every call ends within `timeoutMs`
 * (connecting, waiting in the queue, answering): an upstream that is down or hangs is a fast
 * `503 UPSTREAM_UNAVAILABLE`, whatever went wrong stays in its `cause` for the log (with the
 * upstream's status, when it answered).
 */
export function createUpstream({ name, urls, timeoutMs, connections, authorization }: UpstreamOptions) {
  // Connecting gets half the time, so a connection that cannot be made is told apart (never sent)
  // from an answer that did not come (may have been carried out).
  const pools = new Map(
    urls.map((url) => [
      url,
      new Pool(url, { connections, connectTimeout: Math.max(25, Math.floor(timeoutMs / 2)), keepAliveTimeout: 30_000 }),
    ]),
  )
  const viaInstances = createInstances(urls)

  async function call<T>(method: 'GET' | 'POST' | 'PATCH', path: string, { query, body }: Call = {}): Promise<T> {
    let statusCode: number
    let text: string
    // One deadline for the call, whichever instances it tries: one that cannot be connected to
    // leaves the next only what remains.
    const signal = AbortSignal.timeout(timeoutMs)
    try {
      ;({ statusCode, text } = await viaInstances(async (url) => {
        const response = await (pools.get(url) as Pool).request({
          method,
          path,
          query,
          headers: { authorization: authorization(), ...(body !== undefined && { 'content-type': 'application/json' }) },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal,
        })
        return { statusCode: response.statusCode, text: await response.body.text() }
      }))
    } catch (cause) {
      throw new errors.UPSTREAM_UNAVAILABLE(name, { cause })
    }
    const reply = parseJson(text) as { code?: unknown; message?: unknown } | undefined
    if (statusCode >= 200 && statusCode < 300 && reply !== undefined) return reply as T
    if (statusCode >= 400 && statusCode < 500 && typeof reply?.code === 'string' && PASSED_ON.has(reply.code)) {
      throw new UpstreamRefusal(statusCode, reply.code, String(reply.message))
    }
    const cause = Object.assign(new Error(`${name} answered ${statusCode}: ${text.slice(0, 200)}`), { statusCode })
    throw new errors.UPSTREAM_UNAVAILABLE(name, { cause })
  }

  return { name, timeoutMs, call, close: () => Promise.all([...pools.values()].map((pool) => pool.close())) }
}

export type Upstream = ReturnType<typeof createUpstream>

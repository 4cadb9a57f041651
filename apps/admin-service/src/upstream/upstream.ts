import { Pool } from 'undici'
import { errors } from '../errors.ts'

export type UpstreamOptions = {
  /** Names the upstream in errors and logs: "user-service". */
  name: string
  url: string
  timeoutMs: number
  connections: number
  /** The service Authorization header to send. */
  authorization: () => string
}

type Call = { query?: Record<string, string | number | undefined>; body?: unknown }

/** The upstream's own error answers that are the caller's to see, passed on as they came (404 USER_NOT_FOUND). */
const PASSED_ON = new Set([400, 404, 409])

/** An error answer of the upstream, passed on with its status and code. */
class UpstreamRefusal extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

/** Failures after which the request may still have reached the upstream and taken effect. */
const NEVER_SENT = new Set(['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'ENOTFOUND', 'EAI_AGAIN'])

/** True when `error` (from `call`) leaves open whether the upstream carried the request out. */
export function mayHaveTakenEffect(error: unknown): boolean {
  if (!(error instanceof errors.UPSTREAM_UNAVAILABLE)) return false
  const cause = (error as { cause?: { code?: string; statusCode?: number } }).cause
  return cause?.statusCode === undefined && !NEVER_SENT.has(cause?.code ?? '')
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
 * `503 UPSTREAM_UNAVAILABLE`, whatever went wrong stays in its `cause` for the log.
 */
export function createUpstream({ name, url, timeoutMs, connections, authorization }: UpstreamOptions) {
  const pool = new Pool(url, { connections, connectTimeout: timeoutMs, keepAliveTimeout: 30_000 })

  async function call<T>(method: 'GET' | 'POST' | 'PATCH', path: string, { query, body }: Call = {}): Promise<T> {
    let statusCode: number
    let text: string
    try {
      const response = await pool.request({
        method,
        path,
        query,
        headers: { authorization: authorization(), ...(body !== undefined && { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      })
      statusCode = response.statusCode
      text = await response.body.text()
    } catch (cause) {
      throw new errors.UPSTREAM_UNAVAILABLE(name, { cause })
    }
    const reply = parseJson(text) as { code?: unknown; message?: unknown } | undefined
    if (statusCode >= 200 && statusCode < 300 && reply !== undefined) return reply as T
    if (PASSED_ON.has(statusCode) && typeof reply?.code === 'string') {
      throw new UpstreamRefusal(statusCode, reply.code, String(reply.message ?? ''))
    }
    const cause = Object.assign(new Error(`${name} answered ${statusCode}: ${text.slice(0, 200)}`), { statusCode })
    throw new errors.UPSTREAM_UNAVAILABLE(name, { cause })
  }

  return { name, call, close: () => pool.close() }
}

export type Upstream = ReturnType<typeof createUpstream>

import { Type } from 'typebox'

/** A setting naming a service's instances: one URL, or several comma-separated. */
export const instanceUrls = (defaultValue: string) =>
  Type.String({ pattern: '^https?://[^,\\s]+(\\s*,\\s*https?://[^,\\s]+)*$', default: defaultValue })

/** A comma-separated list ("http://a:3001, http://b:3001") as its entries, blanks left out. */
export const listOf = (value: string) =>
  value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)

/**
 * Failures after which a request surely never reached the other end, so it may go to another
 * instance whatever it does. An instance just closing refuses new requests (closed) while it
 * finishes those in flight.
 */
const NEVER_SENT = new Set([
  'ECONNREFUSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_BPL_MISSING_UPSTREAM',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
  'ENOTFOUND',
  'EAI_AGAIN',
])

/** The failure's code: fetch's and undici's put the socket's in `cause`. */
export const failureCode = (error: unknown) => {
  const { code, cause } = (error ?? {}) as { code?: string; cause?: { code?: string } }
  return cause?.code ?? code ?? 'UNKNOWN'
}

/** True when `error` says the request never left for the instance. */
export const neverSent = (error: unknown) => NEVER_SENT.has(failureCode(error))

/**
 * Another service's instances, taken in turns: each call starts with the next instance and, while
 * `tryNext(error)` says the failure allows it, goes on to the others; the last failure is thrown.
 * With the one address of a load balancer (or a name that resolves to every instance), it is that.
 */
export function createInstances(urls: readonly string[]) {
  if (urls.length === 0) throw new Error('no instance given')
  let turn = 0
  return async function viaInstances<T>(
    request: (url: string) => Promise<T>,
    tryNext: (error: unknown) => boolean = neverSent,
  ): Promise<T> {
    const first = turn++ % urls.length
    for (let tried = 0; ; tried++) {
      try {
        return await request(urls[(first + tried) % urls.length] as string)
      } catch (error) {
        if (tried + 1 >= urls.length || !tryNext(error)) throw error
      }
    }
  }
}

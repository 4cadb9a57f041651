/** What went wrong with a request, as the page tells it. */
export type Failure = { kind: 'offline' | 'down' | 'signed-out' | 'forbidden' | 'refused'; message: string; code?: string }

type ErrorBody = { code?: string; message?: string; retryAfter?: number } | undefined

const SESSION_REFUSED = new Set(['TOKEN_MISSING', 'TOKEN_INVALID', 'TOKEN_EXPIRED', 'TOKEN_REVOKED'])

/**
 * A failed answer (or none at all: `response` undefined) in the page's words: the session refused,
 * not an admin, a service down, or the server's own message for what it refused (a wrong code, a
 * banned user, a failed delivery…).
 */
export function failureOf(response: Response | undefined, body?: ErrorBody): Failure {
  if (!response) return { kind: 'offline', message: 'The server cannot be reached. Check the connection and try again.' }
  const code = body?.code
  if (response.status === 401 && code && SESSION_REFUSED.has(code)) return { kind: 'signed-out', message: 'Your session has ended.', code }
  if (response.status === 403 && code === 'FORBIDDEN') return { kind: 'forbidden', message: 'This account is not an admin.', code }
  if (response.status === 503 || response.status === 504)
    return { kind: 'down', message: 'A service is not answering right now. Try again in a moment.', code }
  if (response.status === 429)
    return { kind: 'refused', message: `Too many requests. Try again in ${body?.retryAfter ?? 'a few'} s.`, code }
  return { kind: 'refused', message: body?.message ?? `The request failed (${response.status}).`, code }
}

export type Outcome<T> = { data: T; response: Response; failure?: undefined } | { data?: undefined; response?: Response; failure: Failure }

/** Runs a request made with the suite's client; a network failure becomes an `offline` failure rather than a throw. */
export async function attempt<T>(request: () => Promise<{ data?: T; error?: unknown; response: Response }>): Promise<Outcome<T>> {
  try {
    const { data, error, response } = await request()
    if (response.ok) return { data: data as T, response }
    return { response, failure: failureOf(response, error as ErrorBody) }
  } catch {
    return { failure: failureOf(undefined) }
  }
}

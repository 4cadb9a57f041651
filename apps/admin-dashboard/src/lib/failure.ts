/** What went wrong with a request, as the page tells it. */
export type Failure = { kind: 'offline' | 'down' | 'signed-out' | 'forbidden' | 'refused'; message: string; code?: string }

type ErrorBody = { code?: string; message?: string; retryAfter?: number } | undefined

/** A failed answer (or none at all: `response` undefined) in the page's words. */
export function failureOf(response: Response | undefined, body?: ErrorBody): Failure {
  if (!response) return { kind: 'offline', message: 'The server cannot be reached. Check the connection and try again.' }
  const code = body?.code
  switch (response.status) {
    case 401:
      return { kind: 'signed-out', message: 'Your session has ended. Sign in again.', code }
    case 403:
      return { kind: 'forbidden', message: 'This account is not an admin.', code }
    case 429:
      return { kind: 'refused', message: `Too many requests. Try again in ${body?.retryAfter ?? 'a few'} s.`, code }
    case 502:
    case 503:
    case 504:
      return { kind: 'down', message: 'A service is not answering right now. Try again in a moment.', code }
    default:
      return {
        kind: 'refused',
        message: body?.message ?? `The request failed (${response.status}${response.statusText ? ` ${response.statusText}` : ''}).`,
        code,
      }
  }
}

/** Runs a request made with the suite's client; a network failure becomes an `offline` failure rather than a throw. */
export async function attempt<T>(
  request: () => Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<{ data: T; response: Response; failure?: undefined } | { data?: undefined; response?: Response; failure: Failure }> {
  try {
    const { data, error, response } = await request()
    if (response.ok) return { data: data as T, response }
    return { response, failure: failureOf(response, error as ErrorBody) }
  } catch {
    return { failure: failureOf(undefined) }
  }
}

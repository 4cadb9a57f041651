/**
 * The suite's public API, typed from its OpenAPI document, with the sign-in flow around it:
 *
 *   const suite = createSuiteClient({ baseUrl: 'https://api.example.com' })
 *   await suite.sendCode({ channel: 'sms', to: '+1 555 123 4567', purpose: 'login' })
 *   const { data } = await suite.verifyCode({ channel: 'sms', to: '+15551234567', purpose: 'login', code })
 *   await suite.login(data.proof)                      // keeps the tokens
 *   const me = await suite.api.GET('/api/v1/users/me') // Bearer added; refreshed once when expired
 *   await suite.logout()
 */
import createClient, { type Client, type ClientOptions, type Middleware } from 'openapi-fetch'
import type { operations, paths } from './generated/api.ts'

export type { Middleware } from 'openapi-fetch'
export type { components, operations, paths } from './generated/api.ts'

type JsonBody<O extends keyof operations, S extends number> =
  operations[O]['responses'] extends Record<S, infer R> ? (R extends { content: { 'application/json': infer B } } ? B : never) : never
type RequestBody<O extends keyof operations> = operations[O] extends { requestBody?: { content: { 'application/json': infer B } } }
  ? B
  : never

export type User = JsonBody<'getMe', 200>
export type TokenPair = JsonBody<'refreshTokens', 200>
export type SendCodeRequest = RequestBody<'sendCode'>
export type VerifyCodeRequest = RequestBody<'verifyCode'>

/** What the client keeps of a sign-in; give it back with `setSession` to resume one (a refresh token kept safe by the app). */
export type Session = { accessToken: string; refreshToken: string }

export type SuiteClientOptions = Omit<ClientOptions, 'fetch'> & {
  /** The gateway, e.g. https://api.example.com. */
  baseUrl: string
  /** The fetch to use (the global one by default). */
  fetch?: typeof globalThis.fetch
  /** Called whenever the session changes: signed in, refreshed, signed out or ended by the server (null). */
  onSessionChange?: (session: Session | null) => void
}

const errorCodeOf = async (response: Response) => {
  try {
    return ((await response.clone().json()) as { code?: unknown }).code
  } catch {
    return undefined
  }
}

export function createSuiteClient({ fetch: baseFetch = globalThis.fetch, onSessionChange, ...options }: SuiteClientOptions) {
  let session: Session | null = null
  let refreshing: { of: Session; done: Promise<boolean> } | undefined
  // The sign-in each session belongs to: a refresh's session keeps its predecessor's, so a request
  // sent with one may go again with the other, never with the session of another sign-in.
  const signIns = new WeakMap<Session, object>()
  function signInOf(of: Session): object {
    const known = signIns.get(of)
    if (known) return known
    const signIn = {}
    signIns.set(of, signIn)
    return signIn
  }
  // Tokens are traded without the session's fetch: a refresh never refreshes itself.
  const plain: Client<paths> = createClient<paths>({
    ...options,
    fetch: (request: Request, init?: RequestInit) => baseFetch(request, init),
  })
  // The access token goes to the suite only, never to another origin a request is made to.
  const origin = new URL(options.baseUrl).origin
  const isSuite = (request: Request) => new URL(request.url).origin === origin

  function setSession(next: Session | null) {
    session = next
    onSessionChange?.(next)
  }

  /** Trades the refresh token for a new pair, once however many requests ask at the same moment. */
  function refresh(): Promise<boolean> {
    const current = session
    if (!current) return Promise.resolve(false)
    if (refreshing?.of !== current) {
      const done = plain.POST('/api/v1/auth/refresh', { body: { refreshToken: current.refreshToken } }).then(
        ({ data, response }) => {
          // The app may have signed out or in meanwhile: an answer about a session it left is dropped.
          if (session !== current) return false
          if (data) {
            const next = { accessToken: data.accessToken, refreshToken: data.refreshToken }
            signIns.set(next, signInOf(current))
            setSession(next)
          }
          // Refused: the session is over (spent, expired, revoked). A server failure keeps it.
          else if (response.status === 401) setSession(null)
          return data !== undefined
        },
        // No answer (the network): the session is kept, and the request gets its own refusal.
        () => false,
      )
      refreshing = { of: current, done }
      const settled = () => {
        if (refreshing?.done === done) refreshing = undefined
      }
      done.then(settled, settled)
    }
    return refreshing?.done as Promise<boolean>
  }

  /**
   * fetch with the session's access token; when the token has expired, refreshes once and sends the
   * request again. A request that carries its own Authorization, or goes elsewhere, is left alone.
   */
  async function sessionFetch(input: Request, init?: RequestInit): Promise<Response> {
    if (!session || input.headers.has('authorization') || !isSuite(input)) return baseFetch(input, init)
    const again = input.clone()
    const sent = session
    // On a copy: the request openapi-fetch hands its middleware never carries the token.
    const withToken = (request: Request, token: string) => {
      const headers = new Headers(request.headers)
      headers.set('authorization', `Bearer ${token}`)
      return baseFetch(new Request(request, { headers }), init)
    }
    const response = await withToken(input, sent.accessToken)
    if (response.status !== 401 || (await errorCodeOf(response)) !== 'TOKEN_EXPIRED') return response
    // Another request may have refreshed while this one was out; a session of another sign-in is not its.
    if (session === sent) await refresh()
    const current = session as Session | null
    if (!current || current === sent || signInOf(current) !== signInOf(sent)) return response
    await response.body?.cancel()
    return withToken(again, current.accessToken)
  }

  const api: Client<paths> = createClient<paths>({ ...options, fetch: sessionFetch })

  return {
    /** Every operation of the API, typed: `api.GET('/api/v1/users/me')` answers `{ data, error, response }`. */
    api,
    /** Adds openapi-fetch middleware (logging, checks) to every request the client makes, the helpers' too. */
    use(...middleware: Middleware[]) {
      api.use(...middleware)
      plain.use(...middleware)
    },
    /** The fetch `api` uses, for requests made by hand. */
    fetch: (...[input, init]: Parameters<typeof globalThis.fetch>) => sessionFetch(new Request(input, init)),
    get session() {
      return session
    },
    setSession,
    sendCode: (body: SendCodeRequest) => plain.POST('/api/v1/otp/send', { body }),
    resendCode: (body: SendCodeRequest) => plain.POST('/api/v1/otp/resend', { body }),
    verifyCode: (body: VerifyCodeRequest) => plain.POST('/api/v1/otp/verify', { body }),
    /** Signs in with the proof of a verified code, and keeps the session. */
    async login(proof: string) {
      const result = await plain.POST('/api/v1/auth/otp/login', { body: { proof } })
      if (result.data) setSession({ accessToken: result.data.accessToken, refreshToken: result.data.refreshToken })
      return result
    },
    refresh,
    /**
     * Ends this session (or, with `global`, every session of the user) on the server, then forgets
     * it here. Kept when the server could not say it ended (a 5xx, a 429): try again.
     */
    async logout(scope: 'local' | 'global' = 'local') {
      const result = await api.POST('/api/v1/auth/logout', { body: { scope } })
      if (result.response.status === 204 || result.response.status === 401) setSession(null)
      return result
    },
  }
}

export type SuiteClient = ReturnType<typeof createSuiteClient>

import { createContext } from 'preact'
import { useContext, useEffect, useState } from 'preact/hooks'
import { attempt, type Outcome } from './lib/failure.ts'
import type { CacheState } from './lib/figures.ts'
import type { Session } from './lib/session.ts'

export const SessionContext = createContext<Session | null>(null)

export const useSession = () => useContext(SessionContext) as Session

type Request<T> = (suite: Session['suite']) => Promise<{ data?: T; error?: unknown; response: Response }>

/**
 * A request of a signed-in page. A session the server refused ends the page's session, unless the
 * client still holds it (its refresh met a server that was down: a failure to retry, not a
 * sign-out); a missing admin role turns the page into "not an admin".
 */
export async function sessionAttempt<T>(session: Session, request: Request<T>): Promise<Outcome<T>> {
  const outcome = await attempt(() => request(session.suite))
  const expiredButKept = outcome.failure?.code === 'TOKEN_EXPIRED' && session.suite.session !== null
  if (expiredButKept)
    return {
      response: outcome.response,
      failure: { kind: 'down', message: 'The session could not be renewed just now. Try again in a moment.' },
    }
  if (outcome.failure?.kind === 'signed-out') session.ended()
  if (outcome.failure?.kind === 'forbidden') session.refused()
  return outcome
}

export type Loaded<T> =
  | { state: 'loading' }
  | { state: 'failed'; failure: NonNullable<Outcome<T>['failure']> }
  | { state: 'done'; data: T; cache: CacheState | null; serverTime: number; loadedAt: number; reloading: boolean }

/**
 * Loads what a view shows and reloads it when `keys` change or `reload()` is called, keeping what
 * it showed until the new answer is there. An answer that arrives after the view moved on is dropped.
 */
export function useLoad<T>(request: Request<T>, keys: unknown[]) {
  const session = useSession()
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: 'loading' })
  const [round, setRound] = useState(0)
  // The request is a new function on every render: `keys` say when it asks for something else.
  useEffect(() => {
    let current = true
    setLoaded((before) => (before.state === 'done' ? { ...before, reloading: true } : { state: 'loading' }))
    sessionAttempt(session, request).then((outcome) => {
      if (!current || outcome.failure?.kind === 'signed-out' || outcome.failure?.kind === 'forbidden') return
      if (outcome.failure) return setLoaded({ state: 'failed', failure: outcome.failure })
      const { headers } = outcome.response
      setLoaded({
        state: 'done',
        data: outcome.data,
        cache: headers.get('x-cache') as CacheState | null,
        // The server's clock, for ages of what it generated: the browser's may be off.
        serverTime: Date.parse(headers.get('date') ?? '') || Date.now(),
        loadedAt: Date.now(),
        reloading: false,
      })
    })
    return () => {
      current = false
    }
  }, [...keys, round])
  return [loaded, () => setRound((value) => value + 1)] as const
}

export type Route = { page: 'overview' } | { page: 'users'; search: string } | { page: 'user'; id: string } | { page: 'audit' }

/** #/users?q=…, #/users/<id>, #/audit; the overview otherwise. */
export function routeOf(hash: string): Route {
  const [path = '', search = ''] = hash.split('?')
  const [, page, id] = path.split('/')
  if (page === 'users' && id) {
    try {
      return { page: 'user', id: decodeURIComponent(id) }
    } catch {
      return { page: 'users', search: '' }
    }
  }
  if (page === 'users') return { page, search }
  if (page === 'audit') return { page }
  return { page: 'overview' }
}

/** The view in the address's hash, so back and forward work. */
export function useRoute() {
  const [route, setRoute] = useState(() => routeOf(location.hash))
  useEffect(() => {
    const changed = () => setRoute(routeOf(location.hash))
    addEventListener('hashchange', changed)
    return () => removeEventListener('hashchange', changed)
  }, [])
  return route
}

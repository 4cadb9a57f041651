import { createContext } from 'preact'
import { useContext, useEffect, useState } from 'preact/hooks'
import { attempt, type Failure } from './lib/failure.ts'
import type { CacheState } from './lib/figures.ts'
import type { Session } from './lib/session.ts'

export const SessionContext = createContext<Session | null>(null)

export const useSession = () => useContext(SessionContext) as Session

export type Loaded<T> =
  | { state: 'loading' }
  | { state: 'failed'; failure: Failure }
  | { state: 'done'; data: T; cache: CacheState | null; loadedAt: number }

/**
 * Loads what a view shows with the session's client and reloads it when `keys` change or
 * `reload()` is called. An answer that arrives after the view moved on is dropped. A refused
 * session or a missing admin role is handed to the session, which changes the page.
 */
export function useLoad<T>(
  request: (suite: Session['suite']) => Promise<{ data?: T; error?: unknown; response: Response }>,
  keys: unknown[],
) {
  const session = useSession()
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: 'loading' })
  const [round, setRound] = useState(0)
  // The request is a new function on every render: `keys` say when it asks for something else.
  useEffect(() => {
    let current = true
    setLoaded({ state: 'loading' })
    attempt(() => request(session.suite)).then((outcome) => {
      if (!current) return
      if (outcome.failure?.kind === 'signed-out') return session.ended()
      if (outcome.failure?.kind === 'forbidden') return session.refused()
      if (outcome.failure) return setLoaded({ state: 'failed', failure: outcome.failure })
      const cache = outcome.response.headers.get('x-cache') as CacheState | null
      setLoaded({ state: 'done', data: outcome.data, cache, loadedAt: Date.now() })
    })
    return () => {
      current = false
    }
  }, [...keys, round])
  return [loaded, () => setRound((value) => value + 1)] as const
}

export type Route = { page: 'overview' } | { page: 'users' } | { page: 'user'; id: string } | { page: 'audit' }

const routeOf = (hash: string): Route => {
  const [, page, id] = hash.split('/')
  if (page === 'users' && id) return { page: 'user', id: decodeURIComponent(id) }
  if (page === 'users' || page === 'audit') return { page }
  return { page: 'overview' }
}

/** The view in the address's hash (#/users, #/users/<id>, #/audit; the overview otherwise), so back and forward work. */
export function useRoute() {
  const [route, setRoute] = useState(() => routeOf(location.hash))
  useEffect(() => {
    const changed = () => setRoute(routeOf(location.hash))
    addEventListener('hashchange', changed)
    return () => removeEventListener('hashchange', changed)
  }, [])
  return route
}

import { createSuiteClient, type SuiteClient, type User } from '@otp-suite/client'

export type SessionState =
  | { status: 'signed-out'; notice?: string }
  | { status: 'signed-in'; user: User }
  | { status: 'not-admin'; user: User }

/**
 * The dashboard's sign-in: the suite's client, whose tokens live in this object only (never in
 * storage: a reload signs out), and the state the page draws. The client refreshes an expired
 * access token once on its own; when the refresh is refused the session is over and the page goes
 * back to the sign-in with a notice.
 */
export function createSession(options: { baseUrl: string; fetch?: typeof globalThis.fetch }) {
  let state: SessionState = { status: 'signed-out' }
  const listeners = new Set<(state: SessionState) => void>()
  const set = (next: SessionState) => {
    state = next
    for (const listener of listeners) listener(next)
  }
  const suite: SuiteClient = createSuiteClient({
    ...options,
    onSessionChange: (tokens) => {
      if (tokens === null && state.status !== 'signed-out') set({ status: 'signed-out', notice: 'Your session has ended. Sign in again.' })
    },
  })

  return {
    suite,
    get state() {
      return state
    },
    subscribe(listener: (state: SessionState) => void) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    /** Trades a verified code's proof for a session; only an admin gets further than "not an admin". */
    async signIn(proof: string) {
      const result = await suite.login(proof)
      if (result.data) set({ status: result.data.user.role === 'admin' ? 'signed-in' : 'not-admin', user: result.data.user })
      return result
    },
    /** The server said this user may not: the page shows "not an admin" (the session stays, for signing out). */
    refused() {
      if (state.status === 'signed-in') set({ status: 'not-admin', user: state.user })
    },
    /** The server no longer takes this session (revoked, or its refresh was refused): back to the sign-in. */
    ended() {
      suite.setSession(null)
    },
    /** Ends the session on the server; forgotten here too unless the server could not say it ended. */
    async signOut() {
      const result = await suite.logout()
      if (suite.session === null) set({ status: 'signed-out', notice: 'Signed out.' })
      return result
    },
  }
}

export type Session = ReturnType<typeof createSession>

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
      if (tokens === null && state.status === 'signed-in') set({ status: 'signed-out', notice: 'Your session has ended. Sign in again.' })
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
    /**
     * Trades a verified code's proof for a session. Only an admin keeps it; anyone else is logged
     * out again at once and told the dashboard is not for them.
     */
    async signIn(proof: string) {
      const result = await suite.login(proof)
      if (!result.data) return result
      const { user } = result.data
      if (user.role === 'admin') set({ status: 'signed-in', user })
      else {
        set({ status: 'not-admin', user })
        await suite.logout().catch(() => {})
      }
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
    /** Ends the session on the server; forgotten here too unless the server could not say it ended (then false). */
    async signOut() {
      if (suite.session) await suite.logout().catch(() => {})
      if (suite.session !== null) return false
      set({ status: 'signed-out', notice: 'Signed out.' })
      return true
    },
  }
}

export type Session = ReturnType<typeof createSession>

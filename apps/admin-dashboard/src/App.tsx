import { useEffect, useRef, useState } from 'preact/hooks'
import { type Route, SessionContext, useRoute, useSession } from './hooks.ts'
import type { Session, SessionState } from './lib/session.ts'
import { AuditLog } from './views/AuditLog.tsx'
import { Overview } from './views/Overview.tsx'
import { SignIn } from './views/SignIn.tsx'
import { nameOf, UserDetail, Users } from './views/Users.tsx'

const pages: [Route['page'], string, string][] = [
  ['overview', '#/', 'Overview'],
  ['users', '#/users', 'Users'],
  ['audit', '#/audit', 'Audit log'],
]

function SignOut({ label }: { label: string }) {
  const session = useSession()
  const [busy, setBusy] = useState(false)
  const [problem, setProblem] = useState<string>()
  return (
    <>
      <button
        type="button"
        disabled={busy}
        onClick={async () => {
          setBusy(true)
          setProblem(undefined)
          if (!(await session.signOut())) setProblem('The server could not end the session. Try again.')
          setBusy(false)
        }}
      >
        {label}
      </button>
      {problem && (
        <span class="problem" role="alert">
          {problem}
        </span>
      )}
    </>
  )
}

function Signed({ state }: { state: Exclude<SessionState, { status: 'signed-out' }> }) {
  const route = useRoute()
  const current = route.page === 'user' ? 'users' : route.page
  const view = useRef<HTMLDivElement>(null)
  const arrived = useRef(false)
  // A new view is announced as a new page would be: its title, and the focus at its start.
  useEffect(() => {
    const label = state.status === 'not-admin' ? 'Not an admin' : (pages.find(([page]) => page === current)?.[2] ?? '')
    document.title = `${label} · OTP suite admin`
    if (arrived.current) view.current?.focus()
    arrived.current = true
  }, [route, state.status, current])
  return (
    <>
      <header>
        <strong class="brand">OTP suite admin</strong>
        {state.status === 'signed-in' && (
          <nav aria-label="Sections">
            {pages.map(([page, href, label]) => (
              <a key={page} href={href} aria-current={current === page ? 'page' : undefined}>
                {label}
              </a>
            ))}
          </nav>
        )}
        <span class="who">{nameOf(state.user)}</span>
        <SignOut label={state.status === 'signed-in' ? 'Sign out' : 'Sign in with another account'} />
      </header>
      <div ref={view} tabIndex={-1} class="view">
        {state.status === 'not-admin' ? (
          <main>
            <h1>Not an admin</h1>
            <p>{nameOf(state.user)} is not an admin, so the dashboard is not open to this account; its session has been ended.</p>
            <p>Sign in with an admin's phone or email.</p>
          </main>
        ) : route.page === 'users' ? (
          <Users key={route.search} search={route.search} />
        ) : route.page === 'user' ? (
          <UserDetail key={route.id} id={route.id} />
        ) : route.page === 'audit' ? (
          <AuditLog />
        ) : (
          <Overview />
        )}
      </div>
    </>
  )
}

export function App({ session }: { session: Session }) {
  const [state, setState] = useState(session.state)
  useEffect(() => {
    const unsubscribe = session.subscribe(setState)
    return () => {
      unsubscribe()
    }
  }, [session])
  return (
    <SessionContext.Provider value={session}>
      {state.status === 'signed-out' ? <SignIn notice={state.notice} /> : <Signed state={state} />}
    </SessionContext.Provider>
  )
}

import { useEffect, useState } from 'preact/hooks'
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

function SignOut() {
  const session = useSession()
  const [problem, setProblem] = useState<string>()
  return (
    <>
      <button
        type="button"
        onClick={async () => {
          const { response } = await session.signOut().catch(() => ({ response: undefined }))
          if (session.suite.session) setProblem(`Could not sign out (${response?.status ?? 'no answer'}). Try again.`)
        }}
      >
        Sign out
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
        <SignOut />
      </header>
      {state.status === 'not-admin' ? (
        <main>
          <h1>Not an admin</h1>
          <p>{nameOf(state.user)} is signed in, but this account is not an admin, so the dashboard is not open to it.</p>
          <p>Sign out, then sign in with an admin's phone or email.</p>
        </main>
      ) : route.page === 'users' ? (
        <Users />
      ) : route.page === 'user' ? (
        <UserDetail id={route.id} />
      ) : route.page === 'audit' ? (
        <AuditLog />
      ) : (
        <Overview />
      )}
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

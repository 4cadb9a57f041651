import type { User } from '@otp-suite/client'
import { useEffect, useRef, useState } from 'preact/hooks'
import { Confirm, Loading, PagedTable } from '../components.tsx'
import { sessionAttempt, useLoad, useSession } from '../hooks.ts'
import { when } from '../lib/figures.ts'
import { cursorOf, firstPage, userFilters, userSearch } from '../lib/paging.ts'

export const nameOf = (user: Pick<User, 'phone' | 'email' | 'firstName' | 'lastName' | 'id'>) =>
  [user.firstName, user.lastName].filter(Boolean).join(' ') || user.phone || user.email || user.id

function StaleNote({ cache }: { cache: string | null }) {
  return cache === 'STALE' ? (
    <p class="problem down" role="alert">
      A service is not answering: these are the last results known.
    </p>
  ) : null
}

/** A labelled choice among `options`, or all of them. */
function Choice({ label, name, value, options }: { label: string; name: string; value?: string; options: Record<string, string> }) {
  return (
    <label>
      {label}{' '}
      <select name={name} defaultValue={value ?? ''}>
        <option value="">All</option>
        {Object.entries(options).map(([option, text]) => (
          <option key={option} value={option}>
            {text}
          </option>
        ))}
      </select>
    </label>
  )
}

/** Users found by a search and filters (kept in the address), a page at a time. */
export function Users({ search }: { search: string }) {
  const filters = userFilters(search)
  const [pages, setPages] = useState(firstPage)
  const [users, reload] = useLoad(
    (suite) => suite.api.GET('/api/v1/admin/users', { params: { query: { ...filters, cursor: cursorOf(pages), limit: 20 } } }),
    [search, pages],
  )

  function find(event: SubmitEvent) {
    event.preventDefault()
    const fields = [...new FormData(event.currentTarget as HTMLFormElement)].map(([name, value]) => [name, String(value)])
    const next = userSearch(userFilters(new URLSearchParams(fields).toString()))
    if (next === search) reload()
    else location.hash = next ? `#/users?${next}` : '#/users'
  }

  return (
    <main>
      <h1>Users</h1>
      <form class="filters" onSubmit={find} aria-label="Find users">
        <label>
          Search <input name="q" type="search" placeholder="Phone, email or name" maxLength={100} defaultValue={filters.q} />
        </label>
        <Choice label="Type" name="userType" value={filters.userType} options={{ live: 'Live', demo: 'Demo' }} />
        <Choice label="Status" name="status" value={filters.status} options={{ active: 'Active', banned: 'Banned' }} />
        <button type="submit">Search</button>
      </form>
      <Loading loaded={users} retry={reload}>
        {(page) => (
          <>
            <StaleNote cache={users.state === 'done' ? users.cache : null} />
            <p class="note">{page.total === 1 ? '1 user' : `${page.total} users`}</p>
            <PagedTable
              rows={page.items}
              empty="No users match."
              pages={pages}
              nextCursor={page.nextCursor}
              onPage={setPages}
              columns={[
                ['User', (user) => <a href={`#/users/${user.id}`}>{nameOf(user)}</a>],
                ['Phone', (user) => user.phone ?? '–'],
                ['Email', (user) => user.email ?? '–'],
                ['Type', (user) => user.userType],
                ['Status', (user) => <span class={user.status}>{user.status}</span>],
                ['Joined', (user) => when(user.createdAt)],
              ]}
            />
          </>
        )}
      </Loading>
    </main>
  )
}

/** One user, with ban (a reason is required) and unban, each confirmed first. */
export function UserDetail({ id }: { id: string }) {
  const session = useSession()
  const [loaded, reload] = useLoad((suite) => suite.api.GET('/api/v1/admin/users/{id}', { params: { path: { id } } }), [id])
  const [changed, setChanged] = useState<User>()
  const [reason, setReason] = useState('')
  const [confirming, setConfirming] = useState(false)
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string }>()
  const [busy, setBusy] = useState(false)
  const said = useRef<HTMLParagraphElement>(null)
  // The outcome takes the focus the dialog gave back to a button that is disabled meanwhile.
  useEffect(() => said.current?.focus(), [outcome])
  // One line of printable text, as the audit log keeps it.
  const reasonText = reason.replace(/\s+/g, ' ').trim()

  async function carryOut(user: User) {
    setConfirming(false)
    setBusy(true)
    const ban = user.status === 'active'
    const path = { params: { path: { id: user.id } } }
    const done = await sessionAttempt(session, (suite) =>
      ban
        ? suite.api.POST('/api/v1/admin/users/{id}/ban', { ...path, body: { reason: reasonText } })
        : suite.api.POST('/api/v1/admin/users/{id}/unban', { ...path, body: reasonText ? { reason: reasonText } : {} }),
    )
    setBusy(false)
    if (done.failure) {
      setOutcome({ ok: false, text: done.failure.message })
      // Done or not is unknown after a timeout: show what the server has now.
      if (done.failure.kind === 'down') {
        setChanged(undefined)
        reload()
      }
      return
    }
    setChanged(done.data)
    setReason('')
    setOutcome({ ok: true, text: ban ? `${nameOf(user)} is banned.` : `${nameOf(user)} is no longer banned.` })
  }

  return (
    <main>
      <p>
        <a href="#/users">← Users</a>
      </p>
      <Loading loaded={loaded} retry={reload}>
        {(fetched) => {
          const user = changed?.id === fetched.id ? changed : fetched
          const banning = user.status === 'active'
          const self = session.state.status === 'signed-in' && session.state.user.id === user.id
          return (
            <>
              <h1>{nameOf(user)}</h1>
              <StaleNote cache={loaded.state === 'done' && !changed ? loaded.cache : null} />
              <dl class="details">
                {(
                  [
                    ['Status', user.status],
                    ['Phone', user.phone ? `${user.phone}${user.phoneVerified ? ' (verified)' : ''}` : '–'],
                    ['Email', user.email ? `${user.email}${user.emailVerified ? ' (verified)' : ''}` : '–'],
                    ['Type', user.userType],
                    ['Role', user.role],
                    ['Joined', when(user.createdAt)],
                    ['Last sign-in', when(user.lastLoginAt)],
                    ['Id', user.id],
                  ] as const
                ).map(([label, value]) => (
                  <div key={label}>
                    <dt>{label}</dt>
                    <dd class={label === 'Status' ? value : undefined}>{value}</dd>
                  </div>
                ))}
              </dl>
              {outcome && (
                <p ref={said} tabIndex={-1} class={outcome.ok ? 'done' : 'problem'} role={outcome.ok ? 'status' : 'alert'}>
                  {outcome.text}
                </p>
              )}
              {!self && (
                <form
                  class="moderation"
                  onSubmit={(event) => {
                    event.preventDefault()
                    if (banning && !reasonText) return setOutcome({ ok: false, text: 'Give a reason for the ban.' })
                    setOutcome(undefined)
                    setConfirming(true)
                  }}
                >
                  <label for="reason">{banning ? 'Reason for the ban' : 'Reason for lifting the ban (optional)'}</label>
                  <input
                    id="reason"
                    type="text"
                    value={reason}
                    onInput={(event) => setReason(event.currentTarget.value)}
                    required={banning}
                    maxLength={500}
                  />
                  <button type="submit" class={banning ? 'danger' : undefined} disabled={busy}>
                    {banning ? 'Ban…' : 'Unban…'}
                  </button>
                </form>
              )}
              <Confirm
                open={confirming}
                title={banning ? `Ban ${nameOf(user)}?` : `Unban ${nameOf(user)}?`}
                confirmLabel={banning ? 'Ban' : 'Unban'}
                onConfirm={() => carryOut(user)}
                onCancel={() => setConfirming(false)}
              >
                <p>
                  {banning ? 'They are signed out everywhere and cannot sign in or get codes until unbanned.' : 'They can sign in again.'}
                </p>
                {reasonText && <p>Reason: {reasonText}</p>}
              </Confirm>
            </>
          )
        }}
      </Loading>
    </main>
  )
}

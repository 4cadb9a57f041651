import { useState } from 'preact/hooks'
import { Loading, Pager } from '../components.tsx'
import { useLoad } from '../hooks.ts'
import { when } from '../lib/figures.ts'
import { cursorOf, firstPage } from '../lib/paging.ts'

const detail = (details: Record<string, unknown>, key: string) => (typeof details[key] === 'string' ? (details[key] as string) : '–')

/** What admins did, newest first, a page at a time. */
export function AuditLog() {
  const [pages, setPages] = useState(firstPage)
  const [entries, reload] = useLoad(
    (suite) => suite.api.GET('/api/v1/admin/audit-log', { params: { query: { cursor: cursorOf(pages), limit: 25 } } }),
    [pages],
  )
  return (
    <main>
      <h1>Audit log</h1>
      <Loading loaded={entries} retry={reload}>
        {(page) => (
          <>
            {page.items.length === 0 ? (
              <p class="empty">Nothing yet.</p>
            ) : (
              <div class="table">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">When</th>
                      <th scope="col">Admin</th>
                      <th scope="col">Action</th>
                      <th scope="col">Target</th>
                      <th scope="col">Reason</th>
                      <th scope="col">Outcome</th>
                    </tr>
                  </thead>
                  <tbody>
                    {page.items.map((entry) => (
                      <tr key={entry.id}>
                        <td>{when(entry.createdAt)}</td>
                        <td>
                          <a href={`#/users/${entry.adminId}`} aria-label={`Admin ${entry.adminId}`}>
                            {entry.adminId.slice(0, 8)}
                          </a>
                        </td>
                        <td>{entry.action}</td>
                        <td>
                          {entry.targetType === 'user' ? (
                            <a href={`#/users/${entry.targetId}`} aria-label={`User ${entry.targetId}`}>
                              {entry.targetId.slice(0, 8)}
                            </a>
                          ) : (
                            `${entry.targetType} ${entry.targetId}`
                          )}
                        </td>
                        <td>{detail(entry.details, 'reason')}</td>
                        <td>{detail(entry.details, 'outcome')}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            <Pager pages={pages} nextCursor={page.nextCursor} onChange={setPages} />
          </>
        )}
      </Loading>
    </main>
  )
}

import { useState } from 'preact/hooks'
import { Loading, PagedTable } from '../components.tsx'
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
          <PagedTable
            rows={page.items}
            empty="Nothing yet."
            pages={pages}
            nextCursor={page.nextCursor}
            onPage={setPages}
            columns={[
              ['When', (entry) => when(entry.createdAt)],
              [
                'Admin',
                (entry) => (
                  <a href={`#/users/${entry.adminId}`} aria-label={`Admin ${entry.adminId}`}>
                    {entry.adminId.slice(0, 8)}
                  </a>
                ),
              ],
              ['Action', (entry) => entry.action],
              [
                'Target',
                (entry) =>
                  entry.targetType === 'user' ? (
                    <a href={`#/users/${entry.targetId}`} aria-label={`User ${entry.targetId}`}>
                      {entry.targetId.slice(0, 8)}
                    </a>
                  ) : (
                    `${entry.targetType} ${entry.targetId}`
                  ),
              ],
              ['Reason', (entry) => detail(entry.details, 'reason')],
              ['Outcome', (entry) => detail(entry.details, 'outcome')],
            ]}
          />
        )}
      </Loading>
    </main>
  )
}

import type { ComponentChildren } from 'preact'
import { useEffect, useRef, useState } from 'preact/hooks'
import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'
import type { Loaded } from './hooks.ts'
import { hasPrevious, nextPage, type Pages, pageNumber, previousPage } from './lib/paging.ts'

/** What a view shows while its data loads or when it could not be loaded; the view itself once it is there (and while it reloads). */
export function Loading<T>({
  loaded,
  retry,
  children,
}: {
  loaded: Loaded<T>
  retry: () => void
  children: (data: T) => ComponentChildren
}) {
  if (loaded.state === 'loading')
    return (
      <p class="note" aria-busy="true">
        Loading…
      </p>
    )
  if (loaded.state === 'failed')
    return (
      <div class={`problem ${loaded.failure.kind}`} role="alert">
        <p>{loaded.failure.message}</p>
        {loaded.failure.kind !== 'refused' && (
          <button type="button" onClick={retry}>
            Try again
          </button>
        )}
      </div>
    )
  return <div aria-busy={loaded.reloading}>{children(loaded.data)}</div>
}

/** Previous and next for cursor paging. */
function Pager({ pages, nextCursor, onChange }: { pages: Pages; nextCursor: string | null; onChange: (pages: Pages) => void }) {
  const next = nextPage(pages, nextCursor)
  return (
    <nav class="pager" aria-label="Pages">
      <button type="button" disabled={!hasPrevious(pages)} onClick={() => onChange(previousPage(pages))}>
        Previous
      </button>
      <span>Page {pageNumber(pages)}</span>
      <button type="button" disabled={next === null} onClick={() => next && onChange(next)}>
        Next
      </button>
    </nav>
  )
}

/** A page of rows as a table (or `empty` when there are none), with previous and next below it. */
export function PagedTable<R extends { id: string }>({
  rows,
  columns,
  empty,
  pages,
  nextCursor,
  onPage,
}: {
  rows: R[]
  columns: [string, (row: R) => ComponentChildren][]
  empty: string
  pages: Pages
  nextCursor: string | null
  onPage: (pages: Pages) => void
}) {
  return (
    <>
      {rows.length === 0 ? (
        <p class="empty">{empty}</p>
      ) : (
        <div class="table">
          <table>
            <thead>
              <tr>
                {columns.map(([heading]) => (
                  <th key={heading} scope="col">
                    {heading}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.id}>
                  {columns.map(([heading, cell]) => (
                    <td key={heading}>{cell(row)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager pages={pages} nextCursor={nextCursor} onChange={onPage} />
    </>
  )
}

/** The current time, renewed every `everyMs`, for "N s ago". */
export function useNow(everyMs = 5000) {
  const [now, setNow] = useState(Date.now)
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs)
    return () => clearInterval(timer)
  }, [everyMs])
  return now
}

const utc = (seconds: number) => uPlot.tzDate(new Date(seconds * 1000), 'Etc/UTC')

/** A line chart over time (UTC), as wide as its box. */
export function Chart({ title, labels, colors, columns }: { title: string; labels: string[]; colors: string[]; columns: number[][] }) {
  const box = useRef<HTMLDivElement>(null)
  useEffect(() => {
    const element = box.current as HTMLDivElement
    const size = () => ({ width: Math.max(element.clientWidth, 240), height: 220 })
    const plot = new uPlot(
      {
        ...size(),
        tzDate: utc,
        scales: { x: { time: true } },
        axes: [{}, { size: 48 }],
        series: [{ label: 'UTC' }, ...labels.map((label, index) => ({ label, stroke: colors[index], width: 2 }))],
      },
      columns as uPlot.AlignedData,
      element,
    )
    const resized = new ResizeObserver(() => plot.setSize(size()))
    resized.observe(element)
    return () => {
      resized.disconnect()
      plot.destroy()
    }
  }, [labels, colors, columns])
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <div ref={box} />
    </figure>
  )
}

/** Asks before an action is carried out, as a modal dialog (Escape or Cancel closes it); `onConfirm` runs once per opening. */
export function Confirm({
  open,
  title,
  confirmLabel,
  onConfirm,
  onCancel,
  children,
}: {
  open: boolean
  title: string
  confirmLabel: string
  onConfirm: () => void
  onCancel: () => void
  children?: ComponentChildren
}) {
  const dialog = useRef<HTMLDialogElement>(null)
  const confirmed = useRef(false)
  useEffect(() => {
    confirmed.current = false
    if (open && !dialog.current?.open) dialog.current?.showModal()
    if (!open && dialog.current?.open) dialog.current.close()
  }, [open])
  return (
    <dialog ref={dialog} aria-labelledby="confirm-title" onClose={() => confirmed.current || onCancel()}>
      <h2 id="confirm-title">{title}</h2>
      {children}
      <div class="actions">
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        <button
          type="button"
          class="danger"
          onClick={() => {
            if (confirmed.current) return
            confirmed.current = true
            onConfirm()
          }}
        >
          {confirmLabel}
        </button>
      </div>
    </dialog>
  )
}

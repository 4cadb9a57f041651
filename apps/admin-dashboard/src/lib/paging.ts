/**
 * Cursor paging with a way back: the API only knows "the page after this cursor", so the cursors
 * of the pages already seen are kept, the current page's last.
 */
export type Pages = { readonly trail: readonly (string | undefined)[] }

export const firstPage = (): Pages => ({ trail: [undefined] })

/** The cursor to ask the current page with (none for the first). */
export const cursorOf = (pages: Pages) => pages.trail.at(-1)

/** 1 for the first page. */
export const pageNumber = (pages: Pages) => pages.trail.length

export const hasPrevious = (pages: Pages) => pages.trail.length > 1

/** The page after the current one, given the current page's nextCursor; null when it was the last. */
export const nextPage = (pages: Pages, nextCursor: string | null): Pages | null =>
  nextCursor === null ? null : { trail: [...pages.trail, nextCursor] }

export const previousPage = (pages: Pages): Pages => (hasPrevious(pages) ? { trail: pages.trail.slice(0, -1) } : pages)

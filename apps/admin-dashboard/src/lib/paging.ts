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

export type UserFilters = { q?: string; userType?: 'live' | 'demo'; status?: 'active' | 'banned' }

const pick = <T extends string>(value: string | null, allowed: readonly T[]) => allowed.find((option) => option === value)

/** The user list's filters as the address keeps them (#/users?q=…&status=…), so back from a user returns to the same list. */
export function userFilters(search: string): UserFilters {
  const params = new URLSearchParams(search)
  return {
    q: params.get('q')?.trim().slice(0, 100) || undefined,
    userType: pick(params.get('userType'), ['live', 'demo'] as const),
    status: pick(params.get('status'), ['active', 'banned'] as const),
  }
}

export const userSearch = (filters: UserFilters) =>
  new URLSearchParams(Object.entries(filters).filter((entry): entry is [string, string] => Boolean(entry[1]))).toString()

import type { operations } from '@otp-suite/client'

type Ok<O extends keyof operations> = operations[O]['responses'] extends { 200: { content: { 'application/json': infer B } } } ? B : never

export type Metrics = Ok<'getDashboardMetrics'>
export type Series = Ok<'getDashboardSeries'>
export type CacheState = 'HIT' | 'MISS' | 'STALE'

/** A share as a percentage with one decimal, or an en dash when there is nothing to share. */
export const percent = (part: number, whole: number) => (whole > 0 ? `${((part / whole) * 100).toFixed(1)} %` : '–')

/** Of the codes sent in the last 24 hours, how many were verified; of the guesses, how many were wrong. */
export function rates({ otp }: Metrics) {
  const guesses = otp.verified.last24h + otp.failed.last24h
  return {
    success: percent(otp.verified.last24h, otp.sent.last24h),
    failure: percent(otp.failed.last24h, guesses),
  }
}

const ago = (seconds: number) =>
  seconds < 90 ? `${seconds} s ago` : seconds < 5400 ? `${Math.round(seconds / 60)} min ago` : `${Math.round(seconds / 3600)} h ago`

/** How fresh the figures are, as the page says it: generated when, from the cache or not, and whether a service is down. */
export function freshness(cache: CacheState | null, generatedAt: string, now = Date.now()) {
  const seconds = Math.max(0, Math.round((now - Date.parse(generatedAt)) / 1000))
  if (cache === 'STALE')
    return { stale: true, text: `Figures from ${seconds} s ago: a service is not answering, so these are the last ones known.` }
  return { stale: false, text: `Generated ${ago(seconds)}${cache === 'HIT' ? ', from the cache' : ''}.` }
}

/** A moment in the browser's time zone and language. */
export const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : '–')

/** The columns uPlot draws: the intervals' starts in seconds, then one column per series. */
export function chartColumns<P extends { start: string }>(points: readonly P[], values: readonly ((point: P) => number)[]) {
  return [points.map((point) => Date.parse(point.start) / 1000), ...values.map((value) => points.map(value))]
}

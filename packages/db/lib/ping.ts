import type pg from 'pg'

export interface PingResult {
  status: 'up' | 'down'
  latencyMs: number
}

export async function pingDatabase(pool: pg.Pool, timeoutMillis = 1000): Promise<PingResult> {
  const started = performance.now()
  const latency = () => Math.round(performance.now() - started)
  let timer: NodeJS.Timeout | undefined
  // The pool's own connection timeout may be longer than a health check can wait.
  const timeout = new Promise<'down'>((resolve) => {
    timer = setTimeout(resolve, timeoutMillis, 'down')
  })
  const query = pool.query('SELECT 1').then(
    () => 'up' as const,
    () => 'down' as const,
  )
  try {
    return { status: await Promise.race([query, timeout]), latencyMs: latency() }
  } finally {
    clearTimeout(timer)
  }
}

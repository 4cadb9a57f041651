import type { FastifyServerOptions } from 'fastify'

export type LogSettings = {
  NODE_ENV?: string
  LOG_LEVEL: string
  LOG_FORMAT?: 'json' | 'pretty' | undefined
}

type Destination = { write(line: string): void }

/**
 * pino-pretty is loaded only when asked for, so a service logging JSON (production, tests) never
 * pays for it. createServer stays synchronous: lines written while it loads wait and follow in
 * order.
 */
function prettyDestination(): Destination {
  let pending: string[] = []
  let target: Destination | undefined
  import('pino-pretty').then(({ default: pretty }) => {
    target = pretty({ sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' })
    for (const line of pending) target.write(line)
    pending = []
  })
  return { write: (line) => (target ? target.write(line) : pending.push(line)) }
}

export function loggerOptions(settings: LogSettings): FastifyServerOptions['logger'] {
  const format = settings.LOG_FORMAT ?? (process.stdout.isTTY && settings.NODE_ENV !== 'production' ? 'pretty' : 'json')
  return {
    level: settings.LOG_LEVEL,
    redact: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-service-token"]'],
    ...(format === 'pretty' ? { stream: prettyDestination() } : {}),
  }
}

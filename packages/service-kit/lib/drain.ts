import type { FastifyInstance, RouteHandlerMethod } from 'fastify'

const isThenable = (value: unknown): value is Promise<unknown> => typeof (value as Promise<unknown> | undefined)?.then === 'function'

/**
 * Counts the route handlers still running; the function returned waits, at most `timeoutMs`,
 * until none is. Closing the app calls it before any onClose hook (the one closing the database
 * or the mail connection, say): Fastify's own close waits for open connections only, and the
 * handler of a request whose client went away (a timeout in front, a dropped phone) keeps
 * running, and would otherwise find the database closed under it. An async handler counts until
 * its promise settles.
 */
export function installDrain(app: FastifyInstance): (timeoutMs: number) => Promise<void> {
  let running = 0
  let drained: (() => void) | undefined
  const settled = () => {
    running -= 1
    if (running === 0) drained?.()
  }
  app.addHook('onRoute', (route) => {
    const handler = route.handler
    route.handler = function (this: FastifyInstance, request, reply) {
      const result = handler.call(this, request, reply)
      // A handler that answers synchronously (or sends later itself) is left as it is: made async,
      // one that returns nothing would be answered with an empty body. The reply is a thenable of
      // its own, returned by handlers that have already answered.
      if (result === reply || !isThenable(result)) return result
      running += 1
      return Promise.resolve(result).finally(settled)
    } as RouteHandlerMethod
  })
  return async (timeoutMs) => {
    if (running === 0) return
    let timer: NodeJS.Timeout | undefined
    await new Promise<void>((resolve) => {
      drained = resolve
      timer = setTimeout(resolve, timeoutMs)
    })
    clearTimeout(timer)
  }
}

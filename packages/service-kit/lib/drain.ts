import type { FastifyInstance, RouteHandlerMethod } from 'fastify'

const isThenable = (value: unknown): value is Promise<unknown> => typeof (value as Promise<unknown> | undefined)?.then === 'function'

/**
 * Closing the app waits for the route handlers still running, before any onClose hook (the one
 * closing the database or the mail connection, say) runs. Fastify's own close waits for open
 * connections only: the handler of a request whose client went away (a timeout in front, a
 * dropped phone) keeps running, and would otherwise find the database closed under it. An async
 * handler counts until its promise settles; the wait lasts at most `timeoutMs`.
 */
export function installDrain(app: FastifyInstance, timeoutMs: number) {
  let running = 0
  let drained: (() => void) | undefined
  const settled = () => {
    running -= 1
    if (running === 0) drained?.()
  }
  app.addHook('onRoute', (route) => {
    const handler = route.handler
    // A handler that answers synchronously (or sends later itself) is left as it is: made async,
    // one that returns nothing would be answered with an empty body.
    route.handler = function (this: FastifyInstance, request, reply) {
      const result = handler.call(this, request, reply)
      if (!isThenable(result)) return result
      running += 1
      return result.finally(settled)
    } as RouteHandlerMethod
  })
  app.addHook('preClose', async () => {
    if (running === 0) return
    await new Promise<void>((resolve) => {
      drained = resolve
      setTimeout(resolve, timeoutMs).unref()
    })
  })
}

import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'

export type CheckResult = { status: 'up' | 'down'; latencyMs: number }
export type HealthChecks = Record<string, () => Promise<CheckResult>>

const Check = Type.Object({ status: Type.Union([Type.Literal('up'), Type.Literal('down')]), latencyMs: Type.Number() })
const Readiness = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('down')]),
  service: Type.String(),
  version: Type.String(),
  checks: Type.Record(Type.String(), Check),
})

export function installHealth(app: FastifyInstance, options: { service: string; version: string; checks: HealthChecks }) {
  const { service, version, checks } = options
  app.get('/health/live', { schema: { hide: true, response: { 200: Type.Object({ status: Type.Literal('ok') }) } } }, async () => ({
    status: 'ok' as const,
  }))

  const ready = async (_request: unknown, reply: { code(statusCode: number): unknown }) => {
    const names = Object.keys(checks)
    const results = await Promise.all(names.map((name) => checks[name]!()))
    const down = results.some((result) => result.status === 'down')
    reply.code(down ? 503 : 200)
    return {
      status: down ? ('down' as const) : ('ok' as const),
      service,
      version,
      checks: Object.fromEntries(names.map((name, index) => [name, results[index]!])),
    }
  }
  const schema = { hide: true, response: { 200: Readiness, 503: Readiness } }
  app.get('/health/ready', { schema }, ready)
  app.get('/health', { schema }, ready)
}

import Fastify from 'fastify'
import t, { type Test } from 'tap'
import { Pool } from 'undici'
import { errors } from '../src/errors.ts'
import { createPublicDocument, mergeDocuments } from '../src/public-document.ts'
import { ROUTES } from '../src/routes.ts'
import type { Upstream } from '../src/upstreams.ts'
import { startGateway, testEnv, until } from './helpers.ts'

const errorResponse = (code: string) => ({
  description: code,
  content: {
    'application/json': {
      schema: {
        type: 'object',
        properties: { code: { type: 'string', enum: [code], 'x-enumDescriptions': { [code]: code } } },
      },
    },
  },
})

/** A service's document as service-kit makes it, reduced to what the merge looks at. */
const serviceDocument = (paths: Record<string, string>, extra: object = {}) => ({
  openapi: '3.1.0',
  info: { title: 'service', version: '1' },
  tags: [
    { name: 'public', description: 'Public' },
    { name: 'internal', description: 'Internal' },
  ],
  paths: Object.fromEntries(
    Object.entries(paths).map(([path, tag]) => [
      path,
      {
        get: {
          operationId: path,
          tags: [tag],
          security: tag === 'internal' ? [{ serviceToken: [] }] : [],
          responses: { 200: { description: 'ok' }, 503: errorResponse('SERVICE_UNAVAILABLE') },
        },
      },
    ]),
  ),
  components: {
    securitySchemes: { serviceToken: { type: 'http', scheme: 'bearer' } },
    headers: { RequestId: { schema: { type: 'string' } }, RetryAfter: { schema: { type: 'integer' } } },
  },
  ...extra,
})

const documents = {
  'otp-service': serviceDocument({ '/api/v1/otp/send': 'public', '/internal/v1/stats': 'internal' }),
  'user-service': serviceDocument({ '/api/v1/auth/refresh': 'public', '/api/v1/users/me': 'public', '/api/v1/usersx': 'public' }),
  'admin-service': serviceDocument({ '/api/v1/admin/audit-log': 'public' }),
}

t.test('the public document has the routed paths of every service, with the gateway’s own errors', async (t) => {
  const merged = mergeDocuments(
    Object.entries(documents).map(([service, document]) => ({ service, prefixes: ROUTES[service] ?? [], document: document as never })),
    { version: '9.9.9', errors: [errors.UPSTREAM_UNAVAILABLE], servers: [{ url: '/' }] },
  )
  t.same(Object.keys(merged.paths ?? {}).sort(), [
    '/api/v1/admin/audit-log',
    '/api/v1/auth/refresh',
    '/api/v1/otp/send',
    '/api/v1/users/me',
  ])
  t.notOk(merged.paths?.['/api/v1/usersx'], 'a prefix matches whole path segments only')
  t.same(
    merged.paths?.['/api/v1/otp/send']?.get?.responses?.['503'],
    { $ref: '#/components/responses/ServiceUnavailableOrUpstreamUnavailable' },
    'an answer several operations give alike is written once',
  )
  const unavailable = merged.components?.responses?.ServiceUnavailableOrUpstreamUnavailable as ReturnType<typeof errorResponse>
  t.same(
    unavailable.content['application/json'].schema.properties.code.enum,
    ['SERVICE_UNAVAILABLE', 'UPSTREAM_UNAVAILABLE'],
    "the gateway's 503 joins the service's",
  )
  t.same(merged.tags, [{ name: 'public', description: 'Public' }], 'only the tags of public operations')
  t.same(Object.keys(merged.components?.securitySchemes ?? {}), [], 'the service token is not part of the public API')
  t.same(Object.keys(merged.components?.headers ?? {}), ['RequestId'], 'only the headers used')
  t.equal(merged.info.version, '9.9.9')

  const clash = { ...documents['admin-service'], components: { headers: { RequestId: { schema: { type: 'integer' } } } } }
  const conflicts: string[] = []
  const both = mergeDocuments(
    [
      { service: 'a', prefixes: ['/api/v1/otp'], document: documents['otp-service'] as never },
      { service: 'b', prefixes: ['/api/v1/admin'], document: clash as never },
    ],
    { version: '1', errors: [], servers: [], onConflict: (message) => conflicts.push(message) },
  )
  t.same(conflicts, ['b defines components.headers.RequestId differently; the first definition is kept'])
  t.same(both.components?.headers?.RequestId, { schema: { type: 'string' } }, 'services at two versions still make a document')
})

/** A stand-in service that serves a document (or fails to), counting how often it is asked. */
async function fakeService(t: Test, document: object) {
  const state = { document, up: true, hang: false, asked: 0 }
  const app = Fastify()
  app.get('/health/ready', async () => ({ status: 'ok' }))
  app.get('/docs/json', async (_request, reply) => {
    state.asked++
    if (state.hang) await new Promise((resolve) => setTimeout(resolve, 1000))
    return state.up ? state.document : reply.code(503).send({ code: 'SERVICE_UNAVAILABLE' })
  })
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  t.teardown(() => app.close())
  return { url, state }
}

t.test('the document is made once per period, and the last one is served while a service is down', async (t) => {
  const services = await Promise.all(Object.values(documents).map((document) => fakeService(t, document)))
  const upstreams = Object.keys(documents).map((name, index) => {
    const dispatcher = new Pool(services[index]?.url as string)
    t.teardown(() => dispatcher.close())
    return { name, dispatcher } as unknown as Upstream
  })
  const logged: string[] = []
  const log = { warn: (_: unknown, message: string) => logged.push(message) } as never
  const options = { upstreams: () => upstreams, routes: ROUTES, version: '1', publicUrl: '', rateLimited: false, log }
  const load = createPublicDocument({ ...options, ttlMs: 60_000 })
  const [a, b] = await Promise.all([load(), load()])
  t.equal(a, b)
  t.same(
    services.map(({ state }) => state.asked),
    [1, 1, 1],
    'concurrent requests share one round of asking',
  )
  await load()
  t.same(
    services.map(({ state }) => state.asked),
    [1, 1, 1],
    'kept for the period',
  )

  const stale = createPublicDocument({ ...options, ttlMs: 0 })
  const made = await stale()
  const user = services[1] as (typeof services)[0]
  user.state.up = false
  const askedBefore = user.state.asked
  t.equal(await stale(), made, 'past its period: served at once, made again in the background')
  await until(() => logged.length > 0, 2000)
  t.match(logged, ['the API document could not be made again; serving the last one'])
  t.equal(user.state.asked, askedBefore + 1)
  user.state.up = true

  // A service that hangs holds nobody up for long, and is not asked again at once.
  user.state.hang = true
  const slow = createPublicDocument({ ...options, ttlMs: 60_000, timeoutMs: 200 })
  await t.rejects(slow(), { statusCode: 503, code: 'UPSTREAM_UNAVAILABLE' }, 'no document yet, and a service that does not answer: 503')
  user.state.hang = false

  user.state.up = false
  const never = createPublicDocument({ ...options, ttlMs: 0 })
  await t.rejects(never(), { statusCode: 503, code: 'UPSTREAM_UNAVAILABLE' }, 'no document yet: 503')
  user.state.up = true
  t.ok(await never(), 'made once the service is back')
})

t.test('the gateway serves it at /docs/json with its public address as the server', async (t) => {
  const services = await Promise.all(Object.values(documents).map((document) => fakeService(t, document)))
  const [otp, user, admin] = services.map(({ url }) => url)
  const env = { OTP_SERVICE_URLS: otp, USER_SERVICE_URLS: user, ADMIN_SERVICE_URLS: admin }
  const { url } = await startGateway(t, testEnv({ ...env, PUBLIC_URL: 'https://api.example.com' }))
  const reply = await fetch(`${url}/docs/json`)
  t.equal(reply.status, 200)
  const document = (await reply.json()) as { servers: unknown; paths: Record<string, unknown>; info: { title: string } }
  t.same(document.servers, [{ url: 'https://api.example.com', description: 'The gateway' }])
  t.equal(document.info.title, 'OTP sign-in suite')
  t.ok(document.paths['/api/v1/otp/send'])
  t.notOk(document.paths['/internal/v1/stats'])
  t.match(await (await fetch(`${url}/docs/yaml`)).text(), /OTP sign-in suite/)
  t.equal((await fetch(`${url}/docs`)).status, 200, 'the page that reads it')

  const relative = await startGateway(t, testEnv(env))
  const own = await fetch(`${relative.url}/docs/json`, { headers: { host: 'attacker.example' } })
  t.same(
    ((await own.json()) as { servers: unknown }).servers,
    [{ url: '/', description: 'The gateway' }],
    'without PUBLIC_URL, relative: never the Host sent',
  )

  const down = await startGateway(t, testEnv({ ...env, ADMIN_SERVICE_URLS: 'http://127.0.0.1:1' }))
  const refused = await fetch(`${down.url}/docs/json`)
  t.equal(refused.status, 503)
  t.match(await refused.json(), { code: 'UPSTREAM_UNAVAILABLE' })
})

import createError from '@fastify/error'
import { Ajv2020 } from 'ajv/dist/2020.js'
import t, { type Test } from 'tap'
import { Type } from 'typebox'
import { errorReplies, type OpenApiDocument, withDetails } from '../index.ts'
import { buildApp } from './build-app.ts'

const TOKEN_MISSING = createError('TOKEN_MISSING', 'A Bearer token is required', 401)
const TOKEN_EXPIRED = createError('TOKEN_EXPIRED', 'The token has expired', 401)
const NOT_YOURS = createError('NOT_YOURS', 'This thing belongs to someone else', 401)
const TOO_MANY = createError('TOO_MANY', 'Too many things %s', 429)
const securitySchemes = {
  accessToken: { scheme: { type: 'http' as const, scheme: 'bearer' }, errors: [TOKEN_MISSING, TOKEN_EXPIRED] },
  unused: { scheme: { type: 'http' as const, scheme: 'basic' }, errors: [] },
}
const Thing = Type.Object({ name: Type.String({ maxLength: 10 }) }, { additionalProperties: false, description: 'A thing' })

async function documentedApp(t: Test) {
  const app = await buildApp(
    t,
    {
      tags: [{ name: 'things', description: 'Things' }],
      securitySchemes,
      isUnavailable: () => false,
    },
    { BODY_LIMIT_BYTES: 256 },
  )
  app.post(
    '/things',
    {
      schema: {
        operationId: 'createThing',
        tags: ['things'],
        security: [{ accessToken: [] }],
        body: Thing,
        response: { 201: Thing, ...errorReplies(NOT_YOURS, TOO_MANY) },
      },
    },
    async (request, reply) => {
      if (request.body.name === 'mine') throw new NOT_YOURS()
      if (request.body.name === 'many') throw withDetails(new TOO_MANY('today'), { retryAfter: 30 })
      return reply.code(201).send(request.body)
    },
  )
  app.post(
    '/things/:name/touch',
    {
      config: { optionalBody: true },
      schema: {
        operationId: 'touchThing',
        tags: ['things'],
        params: Type.Object({ name: Type.String() }),
        querystring: Type.Object({ times: Type.Integer({ minimum: 1, default: 1 }) }),
        body: Type.Object({ note: Type.Optional(Type.String()) }, { additionalProperties: false }),
        response: { 200: Type.Object({ note: Type.String() }, { description: 'Touched' }) },
      },
    },
    async (request) => ({ note: request.body.note ?? 'none' }),
  )
  app.get('/hidden', { schema: { hide: true } }, async () => ({}))
  const document = (await app.inject({ method: 'GET', url: '/docs/json' })).json() as OpenApiDocument
  return { app, document }
}

t.test('each operation lists every status it can answer, with its codes as an enum', async (t) => {
  const { document } = await documentedApp(t)
  const create = document.paths?.['/things']?.post
  if (!create?.responses) throw new Error('no /things operation')
  t.same(Object.keys(create.responses).sort(), ['201', '400', '401', '413', '415', '429', '500', '503'])
  const codes = (status: string) => {
    const response = create.responses?.[status] as unknown as {
      content: Record<string, { schema: { properties: { code: { enum: string[] } } } }>
    }
    return response.content['application/json']?.schema.properties.code.enum
  }
  t.same(codes('401'), ['NOT_YOURS', 'TOKEN_MISSING', 'TOKEN_EXPIRED'], "the route's own code, then its security scheme's")
  t.same(codes('400'), ['VALIDATION_ERROR', 'INVALID_BODY'])
  t.same(codes('413'), ['PAYLOAD_TOO_LARGE'])
  t.same(codes('503'), ['SERVICE_UNAVAILABLE'], 'a service with a dependency can be unavailable')
  t.match(create.responses['429'], {
    description: 'Too Many Requests: TOO_MANY',
    headers: { 'retry-after': { $ref: '#/components/headers/RetryAfter' }, 'x-request-id': Object },
    content: { 'application/json': { schema: { required: ['statusCode', 'code', 'error', 'message', 'retryAfter'] } } },
  })
  for (const [status, response] of Object.entries(create.responses)) {
    t.match(response, { headers: { 'x-request-id': { $ref: '#/components/headers/RequestId' } } }, `${status} has x-request-id`)
  }
  t.match(create.responses['401'], {
    content: {
      'application/json': {
        schema: { properties: { code: { 'x-enumDescriptions': { NOT_YOURS: 'This thing belongs to someone else' } } } },
      },
    },
  })
  t.match(document.paths?.['/things']?.post?.responses?.['429'], {
    content: { 'application/json': { schema: { properties: { code: { 'x-enumDescriptions': { TOO_MANY: 'Too many things …' } } } } } },
  })
})

t.test('security is explicit, optional bodies say so, and nothing unused or hidden is documented', async (t) => {
  const { document } = await documentedApp(t)
  t.same(document.paths?.['/things']?.post?.security, [{ accessToken: [] }])
  const touch = document.paths?.['/things/{name}/touch']?.post
  t.same(touch?.security, [], 'a public operation says it needs nothing')
  t.equal((touch?.requestBody as { required?: boolean } | undefined)?.required, false)
  t.match(touch?.parameters, [
    { in: 'query', name: 'times', required: false },
    { in: 'path', name: 'name', required: true },
  ])
  t.same(Object.keys(touch?.responses ?? {}).sort(), ['200', '400', '413', '415', '500', '503'])
  t.same(Object.keys(document.components?.securitySchemes ?? {}), ['accessToken'], 'a scheme no route uses is left out')
  t.notOk(document.paths?.['/hidden'])
  t.notOk(document.paths?.['/health/ready'], 'health routes are for orchestrators, not clients')
  t.same(document.servers, [{ url: '/', description: 'This instance' }])
})

t.test('every answer matches the schema its status declares', async (t) => {
  const { app, document } = await documentedApp(t)
  const ajv = new Ajv2020({ strict: false })
  type Request = { method: 'POST'; url: string; payload?: string | object; headers?: Record<string, string> }
  const check = async (label: string, request: Request, status: number) => {
    const reply = await app.inject(request)
    t.equal(reply.statusCode, status, label)
    const declared = document.paths?.[request.url.replace('/a/', '/{name}/')]?.post?.responses?.[status] as unknown as {
      content: Record<string, { schema: object }>
    }
    const schema = declared.content['application/json']?.schema as object
    t.ok(ajv.validate(schema, reply.json()), `${label}: ${ajv.errorsText()}`)
  }
  await check('created', { method: 'POST' as const, url: '/things', payload: { name: 'a' } }, 201)
  await check('own 401', { method: 'POST' as const, url: '/things', payload: { name: 'mine' } }, 401)
  await check('429 with retryAfter', { method: 'POST' as const, url: '/things', payload: { name: 'many' } }, 429)
  await check('validation', { method: 'POST' as const, url: '/things', payload: { name: 'far too long a name' } }, 400)
  await check('bad JSON', { method: 'POST' as const, url: '/things', payload: '{', headers: { 'content-type': 'application/json' } }, 400)
  await check('too large', { method: 'POST' as const, url: '/things', payload: { name: 'x'.repeat(300) } }, 413)
  await check('not JSON', { method: 'POST' as const, url: '/things', payload: 'a', headers: { 'content-type': 'text/plain' } }, 415)
  await check('no body at all', { method: 'POST' as const, url: '/things/a/touch' }, 200)
})

t.test('a service can serve a document it is given instead of its own', async (t) => {
  let served = 0
  const app = await buildApp(t, {
    document: async () => {
      served++
      return { openapi: '3.1.0', info: { title: 'merged', version: '1' }, paths: {} }
    },
  })
  app.get('/own', { schema: { response: { 200: Type.Object({}) } } }, async () => ({}))
  const json = await app.inject({ method: 'GET', url: '/docs/json' })
  t.equal(json.json().info.title, 'merged')
  t.notOk(json.json().paths['/own'])
  t.match((await app.inject({ method: 'GET', url: '/docs/yaml' })).body, /title: merged/)
  t.equal(served, 2, 'loaded for each document asked for')
  t.ok((await app.inject({ method: 'GET', url: '/docs' })).statusCode < 400, 'the page is served')
  t.equal(served, 2, 'the page itself does not load the document')
})

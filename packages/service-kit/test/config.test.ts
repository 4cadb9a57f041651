import t from 'tap'
import { Type } from 'typebox'
import { defineConfig, loadConfig } from '../index.ts'

const schema = defineConfig({ PORT: Type.Integer({ default: 3001 }), SECRET: Type.String({ minLength: 8 }) })

t.test('reads, coerces and defaults the environment', async (t) => {
  const config = loadConfig(schema, { PORT: '4000', SECRET: 'long-enough' })
  t.equal(config.PORT, 4000)
  t.equal(config.HOST, '127.0.0.1')
  t.equal(config.NODE_ENV, 'development')
  t.equal(config.SECRET, 'long-enough')
  t.equal(config.TRUSTED_PROXIES, '', 'no proxy is trusted unless named')
  t.equal(config.LOG_FORMAT, undefined, 'the log format follows the terminal unless chosen')
})

t.test("an environment given is read alone; without one, the process's is", async (t) => {
  const { PORT, SECRET } = process.env
  Object.assign(process.env, { PORT: '5555', SECRET: 'from-the-process' })
  t.teardown(() => {
    for (const [name, value] of Object.entries({ PORT, SECRET })) {
      if (value === undefined) delete process.env[name]
      else process.env[name] = value
    }
  })
  t.match(loadConfig(schema, { SECRET: 'long-enough' }), { PORT: 3001, SECRET: 'long-enough' }, "nothing of the process's slips in")
  t.throws(() => loadConfig(schema, {}), /SECRET/, 'not even a value the given one lacks')
  t.match(loadConfig(schema), { PORT: 5555, SECRET: 'from-the-process' })
})

t.test('fails at boot naming the bad variable', async (t) => {
  t.throws(() => loadConfig(schema, {}), /Invalid configuration: .*SECRET/)
  t.throws(() => loadConfig(schema, { SECRET: 'long-enough', PORT: 'eighty' }), /Invalid configuration: .*PORT/)
  t.throws(() => loadConfig(schema, { SECRET: 'long-enough', NODE_ENV: 'staging' }), /NODE_ENV/)
  t.throws(() => loadConfig(schema, { SECRET: 'long-enough', LOG_FORMAT: 'xml' }), /LOG_FORMAT/)
})

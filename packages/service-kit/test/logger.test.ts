import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import t from 'tap'
import { loggerOptions } from '../lib/logger.ts'

t.test('pretty on a terminal outside production, JSON anywhere else unless chosen', async (t) => {
  const wasTTY = process.stdout.isTTY
  t.teardown(() => {
    process.stdout.isTTY = wasTTY
  })
  const pretty = (settings: Parameters<typeof loggerOptions>[0]) => 'stream' in Object(loggerOptions(settings))

  process.stdout.isTTY = true
  t.ok(pretty({ LOG_LEVEL: 'info', NODE_ENV: 'development' }), 'a terminal')
  t.notOk(pretty({ LOG_LEVEL: 'info', NODE_ENV: 'production' }), 'production')
  t.notOk(pretty({ LOG_LEVEL: 'info', LOG_FORMAT: 'json' }), 'chosen')
  process.stdout.isTTY = false
  t.notOk(pretty({ LOG_LEVEL: 'info', NODE_ENV: 'development' }), 'a pipe')
  t.ok(pretty({ LOG_LEVEL: 'info', NODE_ENV: 'production', LOG_FORMAT: 'pretty' }), 'chosen')
})

t.test('pretty lines are readable and none is lost while the printer loads', async (t) => {
  const script = `
    const { createServer } = await import(${JSON.stringify(new URL('../index.ts', import.meta.url).href)})
    const app = createServer({ LOG_LEVEL: 'info', LOG_FORMAT: process.argv[1], TRUSTED_PROXIES: '', BODY_LIMIT_BYTES: 1024 })
    app.log.info({ answer: 42 }, 'first line')
    await new Promise((resolve) => setTimeout(resolve, 200))
    app.log.warn('second line')
  `
  const run = (format: string) => promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, format])
  const pretty = (await run('pretty')).stdout
  t.match(pretty, /INFO.*first line[\s\S]*answer: 42[\s\S]*WARN.*second line/)
  t.throws(() => JSON.parse(pretty.split('\n')[0] ?? ''), 'not JSON')
  const json = (await run('json')).stdout.trim().split('\n')
  t.match(JSON.parse(json[0] ?? ''), { level: 30, msg: 'first line', answer: 42 })
})

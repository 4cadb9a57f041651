import { spawn } from 'node:child_process'
import { once } from 'node:events'
import t from 'tap'
import { testDatabase, testEnv } from './helpers.ts'

const database = await testDatabase(t)

t.test('the server listens, answers, and shuts down cleanly on SIGTERM', async (t) => {
  const env = await testEnv(database.url, { PORT: '0', LOG_LEVEL: 'info' })
  const server = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: new URL('..', import.meta.url).pathname,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  t.teardown(() => server.kill('SIGKILL'))
  let output = ''
  server.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  const address = await new Promise<string>((resolve, reject) => {
    server.once('exit', (code) => reject(new Error(`server exited with ${code}`)))
    server.stdout.on('data', () => {
      const listening = output.match(/Server listening at (http:\/\/127\.0\.0\.1:\d+)/)
      if (listening?.[1]) resolve(listening[1])
    })
  })

  const ready = await fetch(`${address}/health/ready`)
  t.equal(ready.status, 200)
  t.ok(ready.headers.get('x-request-id'))

  const started = Date.now()
  server.kill('SIGTERM')
  const [code] = await once(server, 'exit')
  t.equal(code, 0, 'exits with success')
  t.ok(Date.now() - started < 5000, 'promptly')
  t.match(output, /"signal":"SIGTERM".*"msg":"closing"/, 'says why it closes')
})

import net from 'node:net'
import t from 'tap'
import { createPool, pingDatabase } from '../index.ts'
import { CLOSED_PORT_URL, SERVER_URL } from './helpers/server.ts'

t.test('up', async (t) => {
  const pool = createPool({ connectionString: SERVER_URL })
  t.teardown(() => pool.end())
  const result = await pingDatabase(pool)
  t.equal(result.status, 'up')
  t.type(result.latencyMs, 'number')
})

t.test('down: connection refused', async (t) => {
  const pool = createPool({ connectionString: CLOSED_PORT_URL })
  t.teardown(() => pool.end())
  t.equal((await pingDatabase(pool)).status, 'down')
})

t.test('down: a server that never answers is given up on in time', async (t) => {
  const sockets = new Set<net.Socket>()
  const server = net.createServer((socket) => sockets.add(socket))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  const pool = createPool({ connectionString: `postgres://postgres@127.0.0.1:${port}/x` })
  t.teardown(async () => {
    for (const socket of sockets) socket.destroy()
    server.close()
    await pool.end()
  })
  const result = await pingDatabase(pool, 200)
  t.equal(result.status, 'down')
  t.ok(result.latencyMs < 1000, `gave up after ${result.latencyMs} ms`)
})

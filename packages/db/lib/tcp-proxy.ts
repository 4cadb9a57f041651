import net from 'node:net'

export type TcpProxy = {
  /** The database URL given, pointing at the proxy instead. */
  url: string
  /** Refuses new connections and cuts the open ones, as a database that went away. */
  stop(): Promise<void>
  /** Accepts connections again on the same port. */
  start(): Promise<void>
  close(): Promise<void>
}

/**
 * A loopback TCP relay in front of the server of `databaseUrl`, so a test can take "the database"
 * down and bring it back without touching the server other tests share.
 */
export async function createTcpProxy(databaseUrl: string): Promise<TcpProxy> {
  const proxied = new URL(databaseUrl)
  const target = { host: proxied.hostname, port: Number(proxied.port || 5432) }
  const sockets = new Set<net.Socket>()
  const server = net.createServer((client) => {
    const upstream = net.connect(target)
    for (const socket of [client, upstream]) {
      sockets.add(socket)
      socket.on('close', () => sockets.delete(socket))
      socket.on('error', () => {
        client.destroy()
        upstream.destroy()
      })
    }
    client.pipe(upstream).pipe(client)
  })
  const listenOn = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject)
        resolve()
      })
    })
  const stop = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy()
      server.close(() => resolve())
    })

  await listenOn(0)
  const { port } = server.address() as net.AddressInfo
  proxied.port = String(port)
  return { url: proxied.toString(), stop, start: () => listenOn(port), close: () => (server.listening ? stop() : Promise.resolve()) }
}

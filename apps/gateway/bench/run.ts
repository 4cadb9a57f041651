// What the gateway costs: one route of otp-service loaded directly, through the gateway, and
// through nginx as a reverse proxy when nginx is installed, each process compiled as production
// runs it, on loopback. The route is one the service answers at once (a 404 of its own), so the
// figures are the proxies' cost and nothing else. Prints the figures; asserts nothing.
import { randomBytes } from 'node:crypto'
import { buildTarget, type LoadTarget, printRounds, runRounds, startNginx, startTarget } from '@otp-suite/bench'
import { createTestDatabase } from '@otp-suite/db/testing'

const connections = Number(process.env.BENCH_CONNECTIONS ?? 50)
const duration = Number(process.env.BENCH_DURATION ?? 10)
const warmup = Number(process.env.BENCH_WARMUP ?? 3)
const rounds = Number(process.env.BENCH_ROUNDS ?? 3)
const appsDir = new URL('../../', import.meta.url).pathname
const ports = { otp: 3921, gateway: 3922, nginx: 3923 }
const path = '/api/v1/otp/bench-route'

const stops: (() => Promise<unknown>)[] = []
let runs: Awaited<ReturnType<typeof runRounds>>
try {
  const database = await createTestDatabase({ migrationsDir: `${appsDir}otp-service/prisma/migrations`, prefix: 'gateway_bench' })
  stops.push(database.drop)
  const otp = await startTarget(buildTarget(`${appsDir}otp-service/`, 'src/server.ts'), {
    cwd: `${appsDir}otp-service/`,
    port: ports.otp,
    env: {
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      DATABASE_URL: database.url,
      JWT_SECRET: randomBytes(32).toString('base64url'),
      OTP_PEPPER: randomBytes(32).toString('base64url'),
      SMS_PROVIDER: 'outbox',
      OTP_ALLOW_DEV_DELIVERY: 'true',
      TRUSTED_PROXIES: '127.0.0.1',
    },
  })
  stops.push(otp.stop)
  const gateway = await startTarget(buildTarget(`${appsDir}gateway/`, 'src/server.ts'), {
    cwd: `${appsDir}gateway/`,
    port: ports.gateway,
    env: { NODE_ENV: 'production', LOG_LEVEL: 'warn', OTP_SERVICE_URLS: `http://127.0.0.1:${ports.otp}`, RATE_LIMIT_PER_MINUTE: '0' },
  })
  stops.push(gateway.stop)

  const served = (name: string, port: number, pid: number): LoadTarget => ({
    name,
    server: { base: `http://127.0.0.1:${port}`, pid },
    request: () => ({ method: 'GET', path }),
  })
  const targets = [served('otp-service directly', ports.otp, otp.pid), served('through the gateway', ports.gateway, gateway.pid)]
  const nginx = await startNginx(ports.nginx, `http://127.0.0.1:${ports.otp}`)
  if (nginx) {
    stops.push(nginx.stop)
    targets.push(served('through nginx', ports.nginx, nginx.pid))
  } else {
    console.log('nginx is not installed (apt-get install nginx): measuring without it')
  }
  // Every target must answer as the service does, or its figures measure something else.
  for (const target of targets) {
    const probe = await fetch(`${target.server?.base}${path}`)
    const code = ((await probe.json().catch(() => ({}))) as { code?: string }).code
    if (probe.status !== 404 || code !== 'NOT_FOUND')
      throw new Error(`${target.name} answered ${probe.status} ${code}, not the service's 404`)
  }
  runs = await runRounds({ targets, connections, duration, warmup, rounds })
} finally {
  for (const stop of stops.toReversed()) await stop()
}
printRounds(
  `gateway, ${connections} connections, ${duration} s per target after ${warmup} s warm-up, median of ${rounds} rounds taken in turns (CPU % is the proxy's own, or the service's when direct)`,
  runs,
  [
    ['through the gateway', 'otp-service directly'],
    ...(runs.has('through nginx') ? ([['through nginx', 'otp-service directly']] as [string, string][]) : []),
  ],
)

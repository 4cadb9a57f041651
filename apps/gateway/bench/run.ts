// What the gateway costs: one route of otp-service loaded directly, through the gateway, and
// through nginx as a reverse proxy when nginx is installed, each process compiled as production
// runs it, on loopback. The route is one the service answers at once (a 404 of its own), so the
// figures are the proxies' cost and nothing else. Prints the figures; asserts nothing.
import { spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { buildTarget, type LoadTarget, printRounds, runRounds, startTarget } from '@otp-suite/bench'
import { createTestDatabase } from '@otp-suite/db/testing'
import { scratchDir } from '@otp-suite/testing'

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
  if (spawnSync('nginx', ['-v']).status === 0) {
    const prefix = scratchDir('nginx-bench-')
    // A reverse proxy as people configure one, with keep-alive to the upstream; one process, as the
    // gateway is one, so its CPU and memory are read the same way.
    writeFileSync(
      join(prefix, 'nginx.conf'),
      `master_process off; worker_processes 1; pid ${prefix}/nginx.pid; error_log ${prefix}/error.log;
events { worker_connections 1024; }
http { access_log off; client_body_temp_path ${prefix};
  upstream otp { server 127.0.0.1:${ports.otp}; keepalive 64; }
  server { listen 127.0.0.1:${ports.nginx};
    location /api/ { proxy_pass http://otp; proxy_http_version 1.1; proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For $remote_addr; } } }`,
    )
    const nginx = spawn('nginx', ['-p', prefix, '-c', join(prefix, 'nginx.conf'), '-g', 'daemon off;'], { stdio: 'inherit' })
    stops.push(async () => nginx.kill('SIGQUIT'))
    await new Promise((resolve) => setTimeout(resolve, 500))
    targets.push(served('through nginx', ports.nginx, nginx.pid as number))
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

// Loads admin-service on loopback, with the real user-service and otp-service behind it on real
// PostgreSQL: the cached dashboard metrics against a route that does nothing behind the same admin
// check, and the user list with its cache off, so every request goes to user-service. Prints the
// figures; asserts nothing.
import { randomBytes } from 'node:crypto'
import { type LoadTarget, printRounds, programStarter, runRounds } from '@otp-suite/bench'
import { createTokenService } from '@otp-suite/jwt'

const connections = Number(process.env.BENCH_CONNECTIONS ?? 50)
const duration = Number(process.env.BENCH_DURATION ?? 10)
const warmup = Number(process.env.BENCH_WARMUP ?? 3)
const rounds = Number(process.env.BENCH_ROUNDS ?? 3)
const appsDir = new URL('../../', import.meta.url).pathname
const secret = randomBytes(32).toString('base64url')
const tokens = createTokenService({ secret })
const admins = Array.from({ length: 5 }, (_, i) => `+1415555090${i}`)

const programs = programStarter({ NODE_ENV: 'production', LOG_LEVEL: 'warn', JWT_SECRET: secret })
const start = (app: string, script: string, port: number, env: Record<string, string>) =>
  programs.start(`${appsDir}${app}/`, script, port, env)

let runs: Awaited<ReturnType<typeof runRounds>>
try {
  const otp = await start('otp-service', 'src/server.ts', 3911, {
    OTP_PEPPER: randomBytes(32).toString('base64url'),
    SMS_PROVIDER: 'outbox',
    OTP_ALLOW_DEV_DELIVERY: 'true',
  })
  const users = await start('user-service', 'src/server.ts', 3912, {
    OTP_ALLOW_DEV_DELIVERY: 'true',
    ADMIN_BOOTSTRAP: admins.join(','),
    OTP_SERVICE_URL: otp.url,
  })
  const admin = await start('admin-service', 'bench/server.ts', 3913, {
    OTP_SERVICE_URL: otp.url,
    USER_SERVICE_URL: users.url,
    ADMIN_CACHE_TTL_USERS: '0',
  })

  async function signIn(phone: string) {
    const proof = tokens.sign('otp_proof', { sub: phone, channel: 'sms', purpose: 'login', userType: 'live' }).token
    const response = await fetch(`${users.url}/api/v1/auth/otp/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ proof }),
    })
    return ((await response.json()) as { accessToken: string }).accessToken
  }
  // A few admins, and a hundred users for the list to page through.
  const adminTokens = await Promise.all(admins.map(signIn))
  for (let i = 0; i < 100; i++) await signIn(`+1415555${String(1000 + i)}`)

  const asAdmin = (connection: number, path: string): ReturnType<LoadTarget['request']> => ({
    method: 'GET',
    path,
    headers: { authorization: `Bearer ${adminTokens[connection % adminTokens.length]}` },
  })
  const targets: LoadTarget[] = [
    { name: 'no-op behind the admin check', request: (c) => asAdmin(c, '/bench/noop') },
    { name: 'dashboard metrics (cached)', request: (c) => asAdmin(c, '/api/v1/admin/dashboard/metrics') },
    { name: 'user list (cache off)', request: (c) => asAdmin(c, '/api/v1/admin/users?limit=20') },
  ]

  runs = await runRounds({ base: admin.url, pid: admin.pid, targets, connections, duration, warmup, rounds })
} finally {
  await programs.stop()
}
printRounds(
  `admin-service, ${connections} connections, ${duration} s per target after ${warmup} s warm-up, median of ${rounds} rounds taken in turns`,
  runs,
  [
    ['dashboard metrics (cached)', 'no-op behind the admin check'],
    ['user list (cache off)', 'no-op behind the admin check'],
  ],
)

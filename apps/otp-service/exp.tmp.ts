import pg from 'pg'
import { createOtpStore } from './src/otp/store.ts'

const pool = new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:5432/otp_exp', max: 10 })
const store = createOtpStore(pool, {
  cooldownSeconds: 0,
  windowSeconds: 300,
  windowMax: 1e6,
  dailyMax: 1e6,
  ipWindowSeconds: 3600,
  ipMax: 1e6,
})
const hash = Buffer.alloc(32, 7)
let n = 0
const ours = async () => {
  const i = ++n
  const key = { channel: 'sms' as const, destination: `+1415${i}`, purpose: 'login', userType: 'live' as const }
  await store.issue({ ...key, codeHash: hash, ttlSeconds: 600, maxAttempts: 5, requirePending: false, limited: true, clientIp: `10.${i}` })
  await store.verify(key, hash, { failureWindowSeconds: 3600, failureMax: 10, cooldownSeconds: 30 })
}
const base = async () => {
  const to = `+1416${++n}`
  await pool.query(
    `INSERT INTO baseline_otp_codes (phone_number, code, attempts, expires_at) VALUES ($1, $2, 0, NOW() + INTERVAL '10 minutes') ON CONFLICT (phone_number) DO UPDATE SET code = $2, attempts = 0, expires_at = NOW() + INTERVAL '10 minutes'`,
    [to, '123456'],
  )
  const { rows } = await pool.query('SELECT * FROM baseline_otp_codes WHERE phone_number = $1', [to])
  await pool.query('DELETE FROM baseline_otp_codes WHERE id = $1', [rows[0].id])
}
async function measure(name: string, cycle: () => Promise<void>, seconds = 5) {
  const end = Date.now() + seconds * 1000
  let cycles = 0
  const cpu0 = process.cpuUsage()
  await Promise.all(
    Array.from({ length: 50 }, async () => {
      while (Date.now() < end) {
        await cycle()
        cycles++
      }
    }),
  )
  const cpu = process.cpuUsage(cpu0)
  console.log(name, Math.round(cycles / seconds), 'cycles/s', ((cpu.user + cpu.system) / cycles).toFixed(0), 'µs node CPU/cycle')
}
await measure('ours', ours)
await measure('base', base)
await measure('ours', ours)
await measure('base', base)
await pool.end()

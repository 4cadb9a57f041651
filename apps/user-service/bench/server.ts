// user-service exactly as src/server.ts runs it, plus the reference the bench measures it against:
// a route that does one indexed PostgreSQL lookup by primary key, a prepared statement on a pool of
// the same size, and nothing else.
import { createServer, listen } from '@otp-suite/service-kit'
import pg from 'pg'
import userServiceApp from '../src/app.ts'
import { loadUserServiceConfig } from '../src/config.ts'

const config = loadUserServiceConfig()
const app = createServer(config)
await app.register(userServiceApp, { config })
const pool = new pg.Pool({ connectionString: config.DATABASE_URL, max: config.DATABASE_POOL_MAX })
app.get<{ Params: { id: string } }>('/bench/lookup/:id', async (request) => {
  const { rows } = await pool.query({
    name: 'bench_lookup',
    text: 'SELECT id, status FROM users WHERE id = $1',
    values: [request.params.id],
  })
  return { found: rows.length === 1 }
})
app.addHook('onClose', () => pool.end())
await listen(app, config)

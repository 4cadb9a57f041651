// admin-service exactly as src/server.ts runs it, plus the reference the bench measures it against:
// a route behind the same admin check (a live admin access token, introspected by user-service on
// every request) that answers at once.
import { createServer, listen } from '@otp-suite/service-kit'
import adminServiceApp from '../src/app.ts'
import { loadAdminServiceConfig } from '../src/config.ts'

const config = loadAdminServiceConfig()
const app = createServer(config)
await app.register(adminServiceApp, { config })
app.get(
  '/bench/noop',
  {
    onRequest: [
      app.requireToken('access'),
      async (request, reply) => {
        if (request.adminId === null) return reply.code(403).send()
      },
    ],
  },
  async () => ({ ok: true }),
)
await listen(app, config)

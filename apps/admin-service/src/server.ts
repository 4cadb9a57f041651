import { createServer, listen } from '@otp-suite/service-kit'
import adminServiceApp from './app.ts'
import { loadAdminServiceConfig } from './config.ts'

const config = loadAdminServiceConfig()
const app = createServer(config)
await app.register(adminServiceApp, { config })
await listen(app, { host: config.HOST, port: config.PORT })

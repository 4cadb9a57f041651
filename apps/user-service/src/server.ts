import { createServer, listen } from '@otp-suite/service-kit'
import userServiceApp from './app.ts'
import { loadUserServiceConfig } from './config.ts'

const config = loadUserServiceConfig()
const app = createServer(config)
await app.register(userServiceApp, { config })
await listen(app, { host: config.HOST, port: config.PORT })

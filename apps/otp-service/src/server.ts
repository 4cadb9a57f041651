import { createServer, listen } from '@otp-suite/service-kit'
import otpServiceApp from './app.ts'
import { loadOtpServiceConfig } from './config.ts'

const config = loadOtpServiceConfig()
const app = createServer(config)
await app.register(otpServiceApp, { config })
await listen(app, { host: config.HOST, port: config.PORT })

import { createServer, listen } from '@otp-suite/service-kit'
import gatewayApp from './app.ts'
import { loadGatewayConfig } from './config.ts'

const config = loadGatewayConfig()
const app = createServer(config, { publicEntry: true })
await app.register(gatewayApp, { config })
await listen(app, { host: config.HOST, port: config.PORT })

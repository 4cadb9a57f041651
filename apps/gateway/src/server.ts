import { serve } from '@otp-suite/service-kit'
import gatewayApp from './app.ts'
import { gatewayServerOptions, loadGatewayConfig } from './config.ts'

const config = loadGatewayConfig()
await serve(config, gatewayApp, gatewayServerOptions(config))

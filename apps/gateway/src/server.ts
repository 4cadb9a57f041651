import { serve } from '@otp-suite/service-kit'
import gatewayApp from './app.ts'
import { loadGatewayConfig } from './config.ts'

await serve(loadGatewayConfig(), gatewayApp, { publicEntry: true })

import { serve } from '@otp-suite/service-kit'
import userServiceApp from './app.ts'
import { loadUserServiceConfig } from './config.ts'

await serve(loadUserServiceConfig(), userServiceApp)

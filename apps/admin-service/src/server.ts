import { serve } from '@otp-suite/service-kit'
import adminServiceApp from './app.ts'
import { loadAdminServiceConfig } from './config.ts'

await serve(loadAdminServiceConfig(), adminServiceApp)

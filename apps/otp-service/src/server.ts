import { serve } from '@otp-suite/service-kit'
import otpServiceApp from './app.ts'
import { loadOtpServiceConfig } from './config.ts'

await serve(loadOtpServiceConfig(), otpServiceApp)

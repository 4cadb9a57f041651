import { Counter, type Registry } from 'prom-client'

export function createOtpMetrics(registry: Registry) {
  return {
    sends: new Counter({
      name: 'otp_sends_total',
      help: 'OTP send requests by channel and result',
      labelNames: ['channel', 'result'],
      registers: [registry],
    }),
    verifies: new Counter({
      name: 'otp_verifies_total',
      help: 'OTP verifications by channel and result',
      labelNames: ['channel', 'result'],
      registers: [registry],
    }),
  }
}

export type OtpMetrics = ReturnType<typeof createOtpMetrics>

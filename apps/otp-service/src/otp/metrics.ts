import { Counter, Histogram, type Registry } from 'prom-client'

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
    batchSizes: new Histogram({
      name: 'otp_database_batch_size',
      help: 'Requests per database statement (sends and verifies that arrived together)',
      labelNames: ['statement'],
      buckets: [1, 2, 4, 8, 16, 32, 64, 128],
      registers: [registry],
    }),
  }
}

export type OtpMetrics = ReturnType<typeof createOtpMetrics>

import { createRequire } from 'node:module'
import type { Sender } from '@otp-suite/delivery'
import type { OtpMessage } from './index.ts'

const require = createRequire(import.meta.url)
type Msg91Client = {
  sendOTP(
    mobile: string,
    templateId: string,
    params: Record<string, string | number>,
    callback: (error: Error | null, response?: { type?: string; message?: string }) => void,
  ): void
}
const Msg91 = require('msg91-api') as new (authKey: string) => Msg91Client

/**
 * SMS through MSG91's OTP API with our own code (MSG91 never generates or checks it):
 * the template carries the code in its `##OTP##` variable.
 */
export function msg91Sender(options: { authKey: string; templateId: string }): Sender<OtpMessage> {
  const client = new Msg91(options.authKey)
  return {
    send({ to, code, ttlSeconds }) {
      return new Promise((resolve, reject) => {
        // MSG91 wants the number with its country code and without the plus.
        const mobile = to.replace(/^\+/, '')
        const otpExpiryMinutes = Math.max(1, Math.ceil(ttlSeconds / 60))
        client.sendOTP(mobile, options.templateId, { otp: code, otp_expiry: otpExpiryMinutes }, (error, response) => {
          if (error) return reject(error)
          if (response?.type !== 'success') return reject(new Error(`MSG91 refused the message: ${response?.message ?? 'no reason'}`))
          resolve()
        })
      })
    },
  }
}

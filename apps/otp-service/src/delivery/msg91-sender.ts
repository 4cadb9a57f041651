import { DeliveryUnconfirmedError, type Sender } from '@otp-suite/delivery'
import { neverSent } from '@otp-suite/service-kit'
import type { OtpMessage } from './index.ts'

/**
 * SMS through MSG91's OTP API (v5) with our own code (MSG91 never generates or checks it): the
 * template carries the code in its `##OTP##` variable. The request is aborted at `timeoutMs`, so a
 * provider that stalls holds no connection past the delivery's deadline. Only MSG91's own refusal
 * means the message did not go out; a failure it may have gone out despite is DeliveryUnconfirmedError.
 */
export function msg91Sender(options: { baseUrl: string; authKey: string; templateId: string; timeoutMs: number }): Sender<OtpMessage> {
  return {
    async send({ to, code, ttlSeconds }) {
      const query = new URLSearchParams({
        template_id: options.templateId,
        // MSG91 wants the number with its country code and without the plus.
        mobile: to.replace(/^\+/, ''),
        authkey: options.authKey,
        otp: code,
        otp_expiry: String(Math.max(1, Math.ceil(ttlSeconds / 60))),
      })
      let response: Response
      try {
        response = await fetch(new URL(`/api/v5/otp?${query}`, options.baseUrl), {
          headers: { 'content-type': 'application/json' },
          signal: AbortSignal.timeout(options.timeoutMs),
        })
      } catch (error) {
        // Not connected: nothing went out. Anything later (the deadline, a connection lost): it may have.
        if (neverSent(error)) throw error
        throw new DeliveryUnconfirmedError('MSG91 did not answer', { cause: error })
      }
      const reply: unknown = await response.json().catch(() => undefined)
      // Only MSG91's own answer (an object) refuses: an error page from its edge or a broken body says nothing.
      if (typeof reply !== 'object' || reply === null || response.status >= 500) {
        throw new DeliveryUnconfirmedError(`MSG91 gave no clear answer (${response.status})`)
      }
      const { type, message } = reply as { type?: unknown; message?: unknown }
      if (type === 'success') return
      throw new Error(`MSG91 refused the message (${response.status}): ${typeof message === 'string' ? message : 'no reason'}`)
    },
  }
}

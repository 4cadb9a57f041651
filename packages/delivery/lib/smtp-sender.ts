import { normalizeEmail } from '@otp-suite/destination'
import nodemailer from 'nodemailer'
import type { Sender } from './sender.ts'

export function smtpSender(options: { url: string; from: string; timeoutMs: number }): Sender {
  const transport = nodemailer.createTransport({
    url: options.url,
    connectionTimeout: options.timeoutMs,
    greetingTimeout: options.timeoutMs,
    socketTimeout: options.timeoutMs,
  })
  return {
    async send({ to, subject, text }) {
      // nodemailer reads any string as an address list (display names, groups, several
      // recipients): only a single bare, normalized address goes through.
      if (normalizeEmail(to) !== to) throw new Error('the recipient is not one normalized address')
      await transport.sendMail({
        from: options.from,
        to: { name: '', address: to },
        envelope: { from: options.from, to: [to] },
        subject,
        text,
      })
    },
    async close() {
      transport.close()
    },
  }
}

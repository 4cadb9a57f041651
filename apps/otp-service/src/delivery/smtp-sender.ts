import nodemailer from 'nodemailer'
import type { Sender } from './sender.ts'

export function smtpSender(options: { url: string; from: string; subject: string; timeoutMs: number }): Sender {
  const transport = nodemailer.createTransport({
    url: options.url,
    connectionTimeout: options.timeoutMs,
    greetingTimeout: options.timeoutMs,
    socketTimeout: options.timeoutMs,
  })
  return {
    async send({ to, code, ttlSeconds }) {
      const minutes = Math.ceil(ttlSeconds / 60)
      await transport.sendMail({
        from: options.from,
        to,
        subject: options.subject,
        text: `Your verification code is ${code}. It expires in ${minutes} minutes. If you did not ask for it, ignore this message.`,
      })
    },
    async close() {
      transport.close()
    },
  }
}

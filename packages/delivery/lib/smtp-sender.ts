import { createRequire } from 'node:module'
import { normalizeEmail } from '@otp-suite/destination'
import nodemailer from 'nodemailer'
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js'
import type { Sender } from './sender.ts'

// nodemailer's own reading of an smtp(s):// URL (auth, TLS and pool settings in its query).
const { parseConnectionUrl } = createRequire(import.meta.url)('nodemailer/lib/shared') as {
  parseConnectionUrl(url: string): SMTPTransport.Options
}

export function smtpSender(options: { url: string; from: string; timeoutMs: number }): Sender {
  // The URL read here, not by createTransport: given `url`, it drops every other option, and a
  // server that stalls would hold each connection for nodemailer's defaults (minutes).
  const transport = nodemailer.createTransport({
    ...parseConnectionUrl(options.url),
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

import type { FastifyBaseLogger } from 'fastify'
import type { OtpServiceConfig } from '../config.ts'
import type { Channel } from '../otp/destination.ts'
import { consoleSender, outboxSender } from './dev-senders.ts'
import { msg91Sender } from './msg91-sender.ts'
import { type Sender, withTimeout } from './sender.ts'
import { smtpSender } from './smtp-sender.ts'

export type { OtpMessage, Sender } from './sender.ts'
export type Senders = Record<Channel, Sender>

function required(config: OtpServiceConfig, name: 'MSG91_AUTH_KEY' | 'MSG91_TEMPLATE_ID' | 'SMTP_URL'): string {
  const value = config[name]
  if (!value) throw new Error(`Invalid configuration: ${name} is required by the chosen delivery provider`)
  return value
}

function devSender(kind: 'console' | 'outbox', config: OtpServiceConfig, log: FastifyBaseLogger): Sender {
  if (config.NODE_ENV === 'production' && !config.OTP_ALLOW_DEV_DELIVERY) {
    throw new Error(`Invalid configuration: "${kind}" delivery is for development; set OTP_ALLOW_DEV_DELIVERY=true to use it in production`)
  }
  return kind === 'console' ? consoleSender(log) : outboxSender(config.OTP_OUTBOX_FILE)
}

/** Picks each channel's provider from the configuration, failing at boot when it is incomplete. */
export function createSenders(config: OtpServiceConfig, log: FastifyBaseLogger): Senders {
  const sms =
    config.SMS_PROVIDER === 'msg91'
      ? msg91Sender({ authKey: required(config, 'MSG91_AUTH_KEY'), templateId: required(config, 'MSG91_TEMPLATE_ID') })
      : devSender(config.SMS_PROVIDER, config, log)
  const email =
    config.EMAIL_PROVIDER === 'smtp'
      ? smtpSender({
          url: required(config, 'SMTP_URL'),
          from: config.MAIL_FROM,
          subject: config.OTP_EMAIL_SUBJECT,
          timeoutMs: config.OTP_DELIVERY_TIMEOUT_MS,
        })
      : devSender(config.EMAIL_PROVIDER, config, log)
  return {
    sms: withTimeout(sms, config.OTP_DELIVERY_TIMEOUT_MS, `SMS provider ${config.SMS_PROVIDER}`),
    email: withTimeout(email, config.OTP_DELIVERY_TIMEOUT_MS, `email provider ${config.EMAIL_PROVIDER}`),
  }
}

import { createEmailSender, developmentSender, type Message, type Sender, withTimeout } from '@otp-suite/delivery'
import type { FastifyBaseLogger } from 'fastify'
import type { OtpServiceConfig } from '../config.ts'
import { msg91Sender } from './msg91-sender.ts'

/** A code on its way: the message, plus what an OTP provider such as MSG91 takes apart. */
export type OtpMessage = Message & { code: string; ttlSeconds: number }
export type Senders = { sms: Sender<OtpMessage>; email: Sender }

function required(config: OtpServiceConfig, name: 'MSG91_AUTH_KEY' | 'MSG91_TEMPLATE_ID'): string {
  const value = config[name]
  if (!value) throw new Error(`Invalid configuration: ${name} is required by the chosen delivery provider`)
  return value
}

/** Picks each channel's provider from the configuration, failing at boot when it is incomplete. */
export function createSenders(config: OtpServiceConfig, log: FastifyBaseLogger): Senders {
  const sms =
    config.SMS_PROVIDER === 'msg91'
      ? msg91Sender({
          baseUrl: config.MSG91_BASE_URL,
          authKey: required(config, 'MSG91_AUTH_KEY'),
          templateId: required(config, 'MSG91_TEMPLATE_ID'),
          timeoutMs: config.OTP_DELIVERY_TIMEOUT_MS,
        })
      : developmentSender(config.SMS_PROVIDER, config, log)
  return {
    sms: withTimeout(sms, config.OTP_DELIVERY_TIMEOUT_MS, `SMS provider ${config.SMS_PROVIDER}`),
    email: createEmailSender(config, log),
  }
}

import { type Static, Type } from 'typebox'
import { consoleSender, type DeliveryLog, outboxSender } from './dev-senders.ts'
import { type Sender, withTimeout } from './sender.ts'
import { smtpSender } from './smtp-sender.ts'

/** Settings of email delivery and of the development deliveries, for a service's `defineConfig`. */
export const deliveryConfigProperties = {
  EMAIL_PROVIDER: Type.Union([Type.Literal('smtp'), Type.Literal('console'), Type.Literal('outbox')], { default: 'console' }),
  // Empty is unset, as a deployment that lists every variable passes them.
  SMTP_URL: Type.Optional(Type.String()),
  MAIL_FROM: Type.String({ default: 'no-reply@localhost' }),
  /** Lets `console`/`outbox` delivery run with NODE_ENV=production (a staging setup, say). */
  OTP_ALLOW_DEV_DELIVERY: Type.Boolean({ default: false }),
  OTP_OUTBOX_FILE: Type.String({ default: '.data/otp-outbox.jsonl' }),
  OTP_DELIVERY_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 8000 }),
}

const configSchema = Type.Object(deliveryConfigProperties)
export type DeliveryConfig = Static<typeof configSchema> & { NODE_ENV: string }

/** `console` or `outbox`, refused in production unless explicitly allowed. */
export function developmentSender(kind: 'console' | 'outbox', config: DeliveryConfig, log: DeliveryLog): Sender {
  if (config.NODE_ENV === 'production' && !config.OTP_ALLOW_DEV_DELIVERY) {
    throw new Error(`Invalid configuration: "${kind}" delivery is for development; set OTP_ALLOW_DEV_DELIVERY=true to use it in production`)
  }
  return kind === 'console' ? consoleSender(log) : outboxSender(config.OTP_OUTBOX_FILE)
}

/** The configured email delivery, with its timeout; fails at boot when the configuration is incomplete. */
export function createEmailSender(config: DeliveryConfig, log: DeliveryLog): Sender {
  let sender: Sender
  if (config.EMAIL_PROVIDER === 'smtp') {
    if (!config.SMTP_URL) throw new Error('Invalid configuration: SMTP_URL is required by the chosen delivery provider')
    sender = smtpSender({ url: config.SMTP_URL, from: config.MAIL_FROM, timeoutMs: config.OTP_DELIVERY_TIMEOUT_MS })
  } else {
    sender = developmentSender(config.EMAIL_PROVIDER, config, log)
  }
  return withTimeout(sender, config.OTP_DELIVERY_TIMEOUT_MS, `email provider ${config.EMAIL_PROVIDER}`)
}

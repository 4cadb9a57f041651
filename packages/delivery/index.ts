/**
 * Getting a message to a person: SMTP for email, and the `console` and `outbox` deliveries of
 * local development, each bounded by a timeout. otp-service sends codes with it, user-service
 * verification links; SMS providers plug in as further `Sender`s.
 */
export { consoleSender, type DeliveryLog, outboxSender } from './lib/dev-senders.ts'
export { createEmailSender, type DeliveryConfig, deliveryConfigProperties, developmentSender } from './lib/providers.ts'
export { DeliveryUnconfirmedError, type Message, type Sender, withTimeout } from './lib/sender.ts'
export { smtpSender } from './lib/smtp-sender.ts'

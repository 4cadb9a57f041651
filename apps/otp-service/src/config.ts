import { databaseConfigProperties } from '@otp-suite/db'
import { deliveryConfigProperties } from '@otp-suite/delivery'
import { assertStrongSecret, jwtConfigProperties } from '@otp-suite/jwt'
import { defineConfig, jobIntervalSeconds, loadConfig } from '@otp-suite/service-kit'
import { type Static, Type } from 'typebox'

const seconds = (defaultValue: number, minimum = 1) => Type.Integer({ minimum, default: defaultValue })
const count = (defaultValue: number) => Type.Integer({ minimum: 1, default: defaultValue })

export const OtpServiceConfig = defineConfig({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3001 }),
  ...databaseConfigProperties('postgres://postgres@127.0.0.1:5432/otp_service'),

  ...jwtConfigProperties,
  /** The key codes are hashed with: random, and not JWT_SECRET. */
  OTP_PEPPER: Type.String({ minLength: 16 }),

  OTP_LENGTH: Type.Integer({ minimum: 4, maximum: 10, default: 6 }),
  OTP_TTL_SECONDS: seconds(600),
  OTP_MAX_ATTEMPTS: count(5),
  OTP_PROOF_TTL_SECONDS: seconds(300),
  OTP_RESEND_COOLDOWN_SECONDS: seconds(30, 0),
  OTP_SEND_WINDOW_SECONDS: seconds(300),
  OTP_SEND_WINDOW_MAX: count(3),
  OTP_SEND_DAILY_MAX: count(10),
  OTP_IP_WINDOW_SECONDS: seconds(3600),
  OTP_IP_MAX: count(30),
  /** Wrong codes one client address (an IPv4 address or an IPv6 /64) may try per window, across destinations. */
  OTP_VERIFY_IP_WINDOW_SECONDS: seconds(3600),
  OTP_VERIFY_IP_MAX: count(30),
  OTP_CLEANUP_INTERVAL_SECONDS: jobIntervalSeconds(300),
  OTP_STATS_FLUSH_SECONDS: jobIntervalSeconds(5),
  OTP_CLEANUP_BATCH_SIZE: count(1000),

  OTP_DEFAULT_REGION: Type.String({ pattern: '^[A-Z]{2}$', default: 'US' }),
  /** `possible` checks a number's length for its country; `strict` also its ranges (rejects fictional numbers). */
  OTP_PHONE_VALIDATION: Type.Union([Type.Literal('possible'), Type.Literal('strict')], { default: 'possible' }),
  /** Country calling codes SMS may go to, e.g. "1,44,91"; empty allows all. */
  OTP_SMS_ALLOWED_COUNTRIES: Type.String({ pattern: '^(\\d{1,3}(,\\d{1,3})*)?$', default: '' }),
  /** Number types SMS may not go to, those that cost money to reach (see @otp-suite/destination); empty allows all. */
  OTP_SMS_BLOCKED_TYPES: Type.String({ default: 'PREMIUM_RATE,SHARED_COST,PERSONAL_NUMBER,NON_GEOGRAPHIC' }),
  /** SMS per country per clock hour, e.g. "*:500,44:200"; empty: no budget. */
  OTP_SMS_COUNTRY_HOURLY_BUDGETS: Type.String({ default: '' }),
  OTP_TEST_CODES: Type.String({ default: '' }),
  /** Lets OTP_TEST_CODES work with NODE_ENV=production (store-review accounts). */
  OTP_ALLOW_TEST_CODES: Type.Boolean({ default: false }),

  ...deliveryConfigProperties,
  SMS_PROVIDER: Type.Union([Type.Literal('msg91'), Type.Literal('console'), Type.Literal('outbox')], { default: 'console' }),
  // Empty is unset, as a deployment that lists every variable passes them.
  MSG91_AUTH_KEY: Type.Optional(Type.String()),
  MSG91_TEMPLATE_ID: Type.Optional(Type.String()),
  /** MSG91's API (another address only for a proxy in front of it, or a stand-in in tests). */
  MSG91_BASE_URL: Type.String({ pattern: '^https?://[^\\s]+$', default: 'https://api.msg91.com' }),
  OTP_EMAIL_SUBJECT: Type.String({ default: 'Your verification code' }),
})

export type OtpServiceConfig = Static<typeof OtpServiceConfig>

export function loadOtpServiceConfig(env: NodeJS.ProcessEnv = process.env): OtpServiceConfig {
  const config = loadConfig(OtpServiceConfig, env)
  try {
    assertStrongSecret('OTP_PEPPER', config.OTP_PEPPER, { production: config.NODE_ENV === 'production' })
  } catch (error) {
    throw new Error(`Invalid configuration: ${(error as Error).message}`)
  }
  // One leaked key must not give away the other: a proof forger must not also read the codes.
  const signingKeys = [config.JWT_SECRET, ...(config.JWT_PREVIOUS_SECRETS ?? '').split(',')].map((key) => key.trim())
  if (signingKeys.includes(config.OTP_PEPPER.trim())) {
    throw new Error('Invalid configuration: OTP_PEPPER must differ from JWT_SECRET and JWT_PREVIOUS_SECRETS')
  }
  return config
}

import { databaseConfigProperties } from '@otp-suite/db'
import { deliveryConfigProperties } from '@otp-suite/delivery'
import { jwtConfigProperties } from '@otp-suite/jwt'
import { defineConfig, instanceUrls, jobIntervalSeconds, loadConfig } from '@otp-suite/service-kit'
import { type Static, Type } from 'typebox'

const seconds = (defaultValue: number, minimum = 1) => Type.Integer({ minimum, default: defaultValue })

export const UserServiceConfig = defineConfig({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3002 }),
  ...databaseConfigProperties('postgres://postgres@127.0.0.1:5432/user_service'),
  ...jwtConfigProperties,

  ACCESS_TOKEN_TTL_SECONDS: seconds(900),
  REFRESH_TOKEN_TTL_SECONDS: seconds(30 * 86_400),
  /**
   * A spent refresh token presented again within this many seconds of its use is refused without
   * ending the session: two requests that raced with one token, not a copy.
   */
  REFRESH_REUSE_GRACE_SECONDS: seconds(10, 0),
  /** Phones and emails that get the admin role when their user is created, e.g. "+15550001111,ops@example.com". */
  ADMIN_BOOTSTRAP: Type.String({ default: '' }),
  /** Where national phone numbers (in ADMIN_BOOTSTRAP) are read, as otp-service reads them. */
  OTP_DEFAULT_REGION: Type.String({ pattern: '^[A-Z]{2}$', default: 'US' }),
  ...deliveryConfigProperties,
  /** The page that confirms an address: the link mailed is this followed by the token. */
  EMAIL_VERIFY_URL: Type.String({ default: 'http://127.0.0.1:8080/verify-email#token=' }),
  EMAIL_VERIFY_SUBJECT: Type.String({ default: 'Confirm your email address' }),
  /** Verification links one user may have mailed per hour. */
  EMAIL_VERIFY_HOURLY_MAX: Type.Integer({ minimum: 1, default: 5 }),
  /** Where otp-service is (one URL, or its instances comma-separated), to block a banned user's phone and email. */
  OTP_SERVICE_URL: instanceUrls('http://127.0.0.1:3001'),
  OTP_SERVICE_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 2000 }),
  /** How often blocks otp-service has not taken yet are sent again. */
  DESTINATION_BLOCK_RETRY_SECONDS: jobIntervalSeconds(10),
  USER_CLEANUP_INTERVAL_SECONDS: jobIntervalSeconds(86_400),
  USER_CLEANUP_BATCH_SIZE: Type.Integer({ minimum: 1, default: 1000 }),
  /** How often the counts of new users, sign-ins and logouts reach the database. */
  USER_STATS_FLUSH_SECONDS: jobIntervalSeconds(5),
})

export type UserServiceConfig = Static<typeof UserServiceConfig>

/** The secrets are checked where the token service is made from this (@otp-suite/jwt). */
export function loadUserServiceConfig(env: NodeJS.ProcessEnv = process.env): UserServiceConfig {
  return loadConfig(UserServiceConfig, env)
}

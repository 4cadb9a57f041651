import { databaseConfigProperties } from '@otp-suite/db'
import { jwtConfigProperties } from '@otp-suite/jwt'
import { defineConfig, instanceUrls, loadConfig } from '@otp-suite/service-kit'
import { type Static, Type } from 'typebox'

const seconds = (defaultValue: number, minimum = 1) => Type.Integer({ minimum, default: defaultValue })

export const AdminServiceConfig = defineConfig({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3003 }),
  ...databaseConfigProperties('postgres://postgres@127.0.0.1:5432/admin_service'),
  ...jwtConfigProperties,

  /** Where the services behind the dashboard are: one URL, or their instances comma-separated. */
  OTP_SERVICE_URL: instanceUrls('http://127.0.0.1:3001'),
  USER_SERVICE_URL: instanceUrls('http://127.0.0.1:3002'),
  /** The longest an upstream may take to connect, answer or finish its body. */
  UPSTREAM_TIMEOUT_MS: Type.Integer({ minimum: 50, default: 2000 }),
  /** Keep-alive connections per upstream. */
  UPSTREAM_CONNECTIONS: Type.Integer({ minimum: 1, default: 32 }),

  ADMIN_CACHE_TTL_METRICS: seconds(30, 0),
  ADMIN_CACHE_TTL_USERS: seconds(15, 0),
  /** How long past its TTL an answer is still served (x-cache: STALE) while an upstream is down. */
  ADMIN_CACHE_MAX_STALE: seconds(300, 0),
  ADMIN_CACHE_MAX_ENTRIES: Type.Integer({ minimum: 1, default: 5000 }),
  /** Bytes the cached answers may take, as JSON (in memory they take two to three times that). */
  ADMIN_CACHE_MAX_BYTES: Type.Integer({ minimum: 1024, default: 8 * 1024 * 1024 }),
  /** Revoked tokens remembered, so a replayed one is refused without asking user-service. */
  REVOKED_TOKEN_CACHE_SIZE: Type.Integer({ minimum: 1, default: 10_000 }),
})

export type AdminServiceConfig = Static<typeof AdminServiceConfig>

export function loadAdminServiceConfig(env: NodeJS.ProcessEnv = process.env): AdminServiceConfig {
  return loadConfig(AdminServiceConfig, env)
}

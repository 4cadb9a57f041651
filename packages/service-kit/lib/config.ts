import envSchema from 'env-schema'
import { type Static, type TObject, type TProperties, Type } from 'typebox'

/** Settings every service reads; a service adds its own with `defineConfig`. */
export const baseConfigProperties = {
  NODE_ENV: Type.Union([Type.Literal('development'), Type.Literal('test'), Type.Literal('production')], {
    default: 'development',
  }),
  HOST: Type.String({ default: '127.0.0.1' }),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((level) => Type.Literal(level)),
    { default: 'info' },
  ),
  /** `pretty` for people, `json` for machines; unset: pretty on a terminal outside production. */
  LOG_FORMAT: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('pretty')])),
  /**
   * Comma-separated addresses or CIDR ranges of the reverse proxies (the gateway) whose
   * X-Forwarded-For is believed; empty believes nobody, so a client reaching a service directly
   * cannot choose its address.
   */
  TRUSTED_PROXIES: Type.String({ default: '' }),
  BODY_LIMIT_BYTES: Type.Integer({ minimum: 256, default: 16_384 }),
  /**
   * Connections one process holds at once (clients' keep-alive ones included); a new one past it
   * is closed at once, and counted in `http_connections_dropped_total`.
   */
  MAX_CONNECTIONS: Type.Integer({ minimum: 1, default: 10_000 }),
  /**
   * How many processes serve the port: more than one where Node's one thread is the limit and the
   * host has cores to spare. Their state is in PostgreSQL, as two instances' is.
   */
  PROCESSES: Type.Integer({ minimum: 1, maximum: 64, default: 1 }),
  /**
   * How long a process may take to close once stopped (its requests in flight, then its
   * resources); past it, it exits with code 1.
   */
  SHUTDOWN_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 10_000 }),
}

export function defineConfig<P extends TProperties>(properties: P) {
  return Type.Object({ ...baseConfigProperties, ...properties })
}

/**
 * Reads and validates the environment once, at boot; a bad value stops the process with its name.
 * An `env` given instead of the process's is read alone: nothing of the process's slips in.
 */
export function loadConfig<S extends TObject>(schema: S, env: NodeJS.ProcessEnv = process.env): Static<S> {
  try {
    // env-schema reads process.env too unless told not to, under the values given.
    return envSchema<Static<S>>({ schema, data: env, env: false, dotenv: false })
  } catch (error) {
    throw new Error(`Invalid configuration: ${(error as Error).message}`)
  }
}

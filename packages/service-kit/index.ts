export { clientAddress } from './lib/client-address.ts'
export { baseConfigProperties, defineConfig, loadConfig } from './lib/config.ts'
export {
  addResponseHeaders,
  license,
  type OpenApiDocument,
  operationsOf,
  type SecurityScheme,
  withoutUnusedComponents,
} from './lib/docs.ts'
export { addErrorResponses, type DocumentedError, errorReplies } from './lib/error-docs.ts'
export { type ErrorDetails, errors, withDetails } from './lib/errors.ts'
export type { CheckResult, HealthChecks } from './lib/health.ts'
export { createInstances, failureCode, instanceUrls, listOf, neverSent } from './lib/instances.ts'
export { type Job, jobIntervalSeconds, MAX_JOB_INTERVAL_SECONDS } from './lib/jobs.ts'
export { createServer, listen, type ServerOptions, type ServerSettings, type ServiceSettings, serve } from './lib/server.ts'
export { type ServiceKitOptions, serviceKit } from './lib/service-plugin.ts'
export { appVersion } from './lib/version.ts'

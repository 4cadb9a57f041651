/**
 * The bodies the services exchange, defined once: the service that answers declares them as its
 * response schemas, the services that ask validate and type what they receive with the same ones.
 */
export {
  type AdminSeries,
  AdminSeriesSchema,
  type OtpSeries,
  OtpSeriesSchema,
  type OtpStats,
  OtpStatsSchema,
  SERIES_RANGES,
  type SeriesQuery,
  SeriesQuerySchema,
  type SeriesRange,
  type UserSeries,
  UserSeriesSchema,
  type UserStats,
  UserStatsSchema,
} from './lib/stats.ts'
export {
  ACCESS_TOKEN_MAX_LENGTH,
  INTROSPECT_BATCH_MAX,
  IntrospectBatchBodySchema,
  type IntrospectBatchReply,
  IntrospectBatchReplySchema,
  type IntrospectReply,
  IntrospectReplySchema,
  type User,
  type UserList,
  type UserListQuery,
  UserListQuerySchema,
  UserListSchema,
  UserParamsSchema,
  UserSchema,
  userExample,
} from './lib/users.ts'

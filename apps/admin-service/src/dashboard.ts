import {
  type AdminSeries,
  type OtpSeries,
  type OtpStats,
  SERIES_RANGES,
  type SeriesRange,
  type User,
  type UserList,
  type UserListQuery,
  type UserSeries,
  type UserStats,
} from '@otp-suite/contract'
import type { AdminAction, AuditLog } from './audit/audit-log.ts'
import type { ResponseCache } from './cache/response-cache.ts'
import { errors } from './errors.ts'
import type { Upstream } from './upstream/upstream.ts'

type Dependencies = {
  otpService: Upstream
  userService: Upstream
  cache: ResponseCache
  audit: AuditLog
  ttl: { metricsSeconds: number; usersSeconds: number }
}

/** Cache keys: every user list starts with USER_LISTS, one user's detail is userKey(id), each series' range seriesKey(range). */
export const METRICS_KEY = 'metrics'
export const SERIES = 'series?'
export const seriesKey = (range: SeriesRange) => `${SERIES}range=${range}`
export const USER_LISTS = 'users?'
export const userKey = (id: string) => `users/${id}`

/** One key per distinct query, whatever order its parameters came in. */
const listKey = ({ limit, cursor, q, userType, status }: UserListQuery) =>
  `${USER_LISTS}${new URLSearchParams(
    Object.entries({ limit: String(limit), cursor, q, userType, status }).filter(
      (entry): entry is [string, string] => entry[1] !== undefined,
    ),
  )}`

/** What the dashboard shows, read through the cache, and what admins do to users. */
export function createDashboard({ otpService, userService, cache, audit, ttl }: Dependencies) {
  async function metrics() {
    const [otp, users] = await Promise.all([
      otpService.call<OtpStats>('GET', '/internal/v1/stats'),
      userService.call<UserStats>('GET', '/internal/v1/stats'),
    ])
    return { users: users.users, otp, sessions: users.sessions, generatedAt: new Date().toISOString() }
  }

  /**
   * Both services' series, point by point. Each cuts its intervals by its own database's clock: at
   * the turn of an interval one may have begun the next while the other has not, so the newest
   * intervals are kept, and one a service has no point for counts zero there.
   */
  async function series(range: SeriesRange): Promise<AdminSeries> {
    const query = { range }
    const [otp, users] = await Promise.all([
      otpService.call<OtpSeries>('GET', '/internal/v1/stats/series', { query }),
      userService.call<UserSeries>('GET', '/internal/v1/stats/series', { query }),
    ])
    const points = new Map<string, AdminSeries['points'][number]>()
    const at = (start: string) => {
      let point = points.get(start)
      if (!point) {
        point = {
          start,
          otp: { sent: 0, verified: 0, failed: 0, locked: 0, expired: 0 },
          users: { new: 0 },
          sessions: { signIns: 0, logouts: 0 },
        }
        points.set(start, point)
      }
      return point
    }
    for (const { start, ...outcomes } of otp.points) at(start).otp = outcomes
    for (const { start, newUsers, signIns, logouts } of users.points) {
      const point = at(start)
      point.users = { new: newUsers }
      point.sessions = { signIns, logouts }
    }
    const { interval, points: count } = SERIES_RANGES[range]
    const newest = [...points.values()].sort((a, b) => Date.parse(a.start) - Date.parse(b.start)).slice(-count)
    return { range, interval, points: newest, generatedAt: new Date().toISOString() }
  }

  /** Carries out an admin action with its audit row; its stale entries go here at once, elsewhere by notice. */
  async function act<T>(action: AdminAction, carryOut: () => Promise<T>) {
    try {
      return await audit.perform(action, carryOut)
    } finally {
      cache.invalidate(action.stale)
    }
  }

  async function setStatus(adminId: string, userId: string, status: 'active' | 'banned', reason: string | undefined) {
    if (status === 'banned' && userId === adminId) throw new errors.CANNOT_BAN_SELF()
    return act(
      {
        adminId,
        action: status === 'banned' ? 'user.ban' : 'user.unban',
        targetType: 'user',
        targetId: userId,
        details: reason === undefined ? {} : { reason },
        // The user's detail, every list (it may be on any page, and totals move) and the counts.
        stale: [userKey(userId), USER_LISTS, METRICS_KEY],
      },
      () => userService.call<User>('PATCH', `/internal/v1/users/${userId}`, { body: { status } }),
    )
  }

  return {
    metrics: () => cache.get({ key: METRICS_KEY, family: 'metrics', ttlSeconds: ttl.metricsSeconds, load: metrics }),
    series: (range: SeriesRange) =>
      cache.get({ key: seriesKey(range), family: 'series', ttlSeconds: ttl.metricsSeconds, load: () => series(range) }),
    listUsers: (query: UserListQuery) =>
      cache.get({
        key: listKey(query),
        family: 'users',
        ttlSeconds: ttl.usersSeconds,
        load: () => userService.call<UserList>('GET', '/internal/v1/users', { query }),
      }),
    getUser: (id: string) =>
      cache.get({
        key: userKey(id),
        family: 'user',
        ttlSeconds: ttl.usersSeconds,
        load: () => userService.call<User>('GET', `/internal/v1/users/${id}`),
      }),
    ban: (adminId: string, userId: string, reason?: string) => setStatus(adminId, userId, 'banned', reason),
    unban: (adminId: string, userId: string, reason?: string) => setStatus(adminId, userId, 'active', reason),
    invalidate: (adminId: string, prefix: string) =>
      act({ adminId, action: 'cache.invalidate', targetType: 'cache', targetId: prefix, details: {}, stale: [prefix] }, async () => {}),
  }
}

export type Dashboard = ReturnType<typeof createDashboard>

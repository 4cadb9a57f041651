import type { TokenService } from '@otp-suite/jwt'
import { withDetails } from '@otp-suite/service-kit'
import type { FastifyBaseLogger } from 'fastify'
import type { OtpServiceConfig } from '../config.ts'
import type { Senders } from '../delivery/index.ts'
import { errors } from '../errors.ts'
import { generateCode, hashCode, type OtpKey, parseTestCodes, type UserType } from './codes.ts'
import { type Channel, normalizeDestination, type PhonePolicy, parseAllowedCountries } from './destination.ts'
import type { OtpMetrics } from './metrics.ts'
import type { StatsRecorder } from './stats-recorder.ts'
import type { OtpStore } from './store.ts'

const statOf = { verified: 'verified', invalid: 'failed', locked: 'locked', expired: 'expired' } as const

export type OtpRequest = { channel: Channel; to: string; purpose: string; userType: UserType }

type Dependencies = {
  config: OtpServiceConfig
  store: OtpStore
  senders: Senders
  tokens: TokenService
  metrics: OtpMetrics
  stats: StatsRecorder
  log: FastifyBaseLogger
}

export function createOtpService({ config, store, senders, tokens, metrics, stats, log }: Dependencies) {
  const phonePolicy: PhonePolicy = {
    defaultRegion: config.OTP_DEFAULT_REGION,
    validation: config.OTP_PHONE_VALIDATION,
    allowedCountries: parseAllowedCountries(config.OTP_SMS_ALLOWED_COUNTRIES),
  }
  const normalizeAny = (to: string) =>
    normalizeDestination(to.includes('@') ? 'email' : 'sms', to, { ...phonePolicy, allowedCountries: new Set() })
  const testCodes = parseTestCodes(config.OTP_TEST_CODES, normalizeAny)
  for (const code of testCodes.values()) {
    if (code.length !== config.OTP_LENGTH)
      throw new Error(`Invalid configuration: OTP_TEST_CODES codes must have ${config.OTP_LENGTH} digits`)
  }

  const keyOf = (request: OtpRequest): OtpKey => ({
    channel: request.channel,
    destination: normalizeDestination(request.channel, request.to, phonePolicy),
    purpose: request.purpose,
    userType: request.userType,
  })

  async function deliver(key: OtpKey, code: string) {
    try {
      await senders[key.channel].send({ ...key, to: key.destination, code, ttlSeconds: config.OTP_TTL_SECONDS })
    } catch (error) {
      log.warn({ err: error, channel: key.channel }, 'OTP delivery failed')
      throw new errors.DELIVERY_FAILED()
    }
  }

  return {
    async send(request: OtpRequest, options: { resend: boolean; clientIp: string | null }) {
      const key = keyOf(request)
      const testCode = testCodes.get(key.destination)
      const code = testCode ?? generateCode(config.OTP_LENGTH)
      const issue = {
        ...key,
        codeHash: hashCode(config.OTP_PEPPER, key, code),
        requirePending: options.resend,
        limited: testCode === undefined,
        clientIp: options.clientIp,
      }
      const result = await store.issue(issue)
      if (result.outcome !== 'issued') metrics.sends.inc({ channel: key.channel, result: result.outcome })
      switch (result.outcome) {
        case 'not_found':
          throw new errors.OTP_NOT_FOUND()
        case 'cooldown':
          throw withDetails(new errors.OTP_SEND_COOLDOWN(), { retryAfter: result.retryAfter })
        case 'limit':
          throw withDetails(new errors.OTP_SEND_LIMIT('Too many codes sent to this destination'), { retryAfter: result.retryAfter })
        case 'ip_limit':
          throw withDetails(new errors.OTP_SEND_LIMIT('Too many codes requested from this address'), { retryAfter: result.retryAfter })
      }
      if (testCode === undefined) {
        await deliver(key, code).catch(async (error) => {
          metrics.sends.inc({ channel: key.channel, result: 'delivery_failed' })
          await store.release(issue, result.issuedAt)
          throw error
        })
      }
      metrics.sends.inc({ channel: key.channel, result: testCode === undefined ? 'delivered' : 'test_destination' })
      stats.record('sent', key.channel)
      return { success: true as const, expiresIn: config.OTP_TTL_SECONDS, resendAfter: config.OTP_RESEND_COOLDOWN_SECONDS }
    },

    async verify(request: OtpRequest & { code: string }) {
      const key = keyOf(request)
      const result = await store.verify(key, hashCode(config.OTP_PEPPER, key, request.code))
      metrics.verifies.inc({ channel: key.channel, result: result.outcome })
      if (result.outcome !== 'missing') stats.record(statOf[result.outcome], key.channel)
      switch (result.outcome) {
        case 'expired':
        case 'missing':
          throw new errors.OTP_EXPIRED()
        case 'invalid':
          throw withDetails(new errors.OTP_INVALID(), { attemptsLeft: result.attemptsLeft })
        case 'locked':
          throw withDetails(new errors.OTP_TOO_MANY_ATTEMPTS(), { retryAfter: result.retryAfter })
      }
      const proof = tokens.sign(
        'otp_proof',
        { sub: key.destination, channel: key.channel, purpose: key.purpose, userType: key.userType },
        { expiresIn: config.OTP_PROOF_TTL_SECONDS },
      )
      return { success: true as const, verified: true as const, proof: proof.token, proofExpiresIn: proof.expiresIn }
    },
  }
}

export type OtpService = ReturnType<typeof createOtpService>

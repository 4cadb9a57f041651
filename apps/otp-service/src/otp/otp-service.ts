import { DeliveryUnconfirmedError } from '@otp-suite/delivery'
import { normalizeDestination, type PhonePolicy, parseAllowedCountries, parsePhoneTypes, readPhone } from '@otp-suite/destination'
import type { TokenService } from '@otp-suite/jwt'
import { withDetails } from '@otp-suite/service-kit'
import type { FastifyBaseLogger } from 'fastify'
import type { OtpServiceConfig } from '../config.ts'
import type { Senders } from '../delivery/index.ts'
import { errors } from '../errors.ts'
import { generateCode, hashCode, type OtpKey, pepperKey } from './codes.ts'
import { parseCountryBudgets } from './country-budgets.ts'
import type { OtpMetrics } from './metrics.ts'
import type { StatsRecorder } from './stats-recorder.ts'
import type { OtpStore } from './store.ts'
import { loadTestCodes } from './test-codes.ts'

const statOf = { verified: 'verified', invalid: 'failed', locked: 'locked', client_locked: 'locked', expired: 'expired' } as const

export type OtpRequest = Omit<OtpKey, 'destination'> & { to: string }
/** Who is asking: the limit key of the client's address. */
export type Caller = { clientIp: string | null }

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
  const setting = <T>(name: 'OTP_SMS_BLOCKED_TYPES' | 'OTP_SMS_COUNTRY_HOURLY_BUDGETS', parse: (value: string) => T): T => {
    try {
      return parse(config[name])
    } catch (error) {
      throw new Error(`Invalid configuration: ${name}: ${(error as Error).message}`)
    }
  }
  const phonePolicy: PhonePolicy = {
    defaultRegion: config.OTP_DEFAULT_REGION,
    validation: config.OTP_PHONE_VALIDATION,
    allowedCountries: parseAllowedCountries(config.OTP_SMS_ALLOWED_COUNTRIES),
    blockedTypes: setting('OTP_SMS_BLOCKED_TYPES', parsePhoneTypes),
  }
  const countryBudget = setting('OTP_SMS_COUNTRY_HOURLY_BUDGETS', parseCountryBudgets)
  const testCodes = loadTestCodes(config, phonePolicy, log)
  const pepper = pepperKey(config.OTP_PEPPER)

  const keyOf = (request: OtpRequest): OtpKey => ({
    channel: request.channel,
    destination: testCodes.destinationOf(request.channel, request.to) ?? normalizeDestination(request.channel, request.to, phonePolicy),
    purpose: request.purpose,
    userType: request.userType,
  })

  /** The budget an SMS counts against: its calling code's, else the one all others share (`*`). */
  function budgetOf(key: OtpKey): { callingCode: string | null; countryBudget: number | null } {
    if (key.channel !== 'sms' || countryBudget.size === 0) return { callingCode: null, countryBudget: null }
    const { countryCallingCode } = readPhone(key.destination, phonePolicy)
    const own = countryBudget.get(countryCallingCode)
    if (own !== undefined) return { callingCode: countryCallingCode, countryBudget: own }
    return { callingCode: '*', countryBudget: countryBudget.get('*') ?? null }
  }

  /**
   * Delivers the code. A failure is answered as DELIVERY_FAILED, logged once (as an outage) with
   * its cause and channel; the client's answer carries neither.
   */
  async function deliver(key: OtpKey, code: string) {
    const minutes = Math.ceil(config.OTP_TTL_SECONDS / 60)
    try {
      await senders[key.channel].send({
        channel: key.channel,
        to: key.destination,
        subject: config.OTP_EMAIL_SUBJECT,
        text: `Your verification code is ${code}. It expires in ${minutes} minutes. If you did not ask for it, ignore this message.`,
        record: { purpose: key.purpose, code },
        code,
        ttlSeconds: config.OTP_TTL_SECONDS,
      })
    } catch (error) {
      throw Object.assign(new errors.DELIVERY_FAILED({ cause: error }), { channel: key.channel })
    }
  }

  return {
    async send(request: OtpRequest, options: { resend: boolean } & Caller) {
      const key = keyOf(request)
      const testCode = testCodes.codes.get(key.destination)
      const code = testCode ?? generateCode(config.OTP_LENGTH)
      const issue = {
        ...key,
        ...(testCode === undefined ? budgetOf(key) : { callingCode: null, countryBudget: null }),
        codeHash: hashCode(pepper, key, code),
        requirePending: options.resend,
        limited: testCode === undefined,
        clientIp: options.clientIp,
      }
      const result = await store.issue(issue)
      if (result.outcome !== 'issued') metrics.sends.inc({ channel: key.channel, result: result.outcome })
      switch (result.outcome) {
        case 'not_found':
          throw new errors.OTP_NOT_FOUND()
        case 'blocked':
          throw new errors.DESTINATION_BLOCKED()
        case 'cooldown':
          throw withDetails(new errors.OTP_SEND_COOLDOWN(), { retryAfter: result.retryAfter })
        case 'limit':
          throw withDetails(new errors.OTP_SEND_LIMIT('sent to this destination'), { retryAfter: result.retryAfter })
        case 'ip_limit':
          throw withDetails(new errors.OTP_SEND_LIMIT('requested from this address'), { retryAfter: result.retryAfter })
        case 'country_limit':
          throw withDetails(new errors.OTP_SEND_LIMIT('sent to this country this hour'), { retryAfter: result.retryAfter })
      }
      if (testCode === undefined) {
        await deliver(key, code).catch(async (error) => {
          metrics.sends.inc({ channel: key.channel, result: 'delivery_failed' })
          // A refused message takes its send back; one that may still arrive (a timeout, an unclear answer) counts.
          if (!(error.cause instanceof DeliveryUnconfirmedError)) await store.release(issue, result.issuedAt)
          throw error
        })
      }
      metrics.sends.inc({ channel: key.channel, result: testCode === undefined ? 'delivered' : 'test_destination' })
      stats.record('sent', key.channel)
      return { success: true as const, expiresIn: config.OTP_TTL_SECONDS, resendAfter: config.OTP_RESEND_COOLDOWN_SECONDS }
    },

    async verify(request: OtpRequest & { code: string }, caller: Caller) {
      const key = keyOf(request)
      const result = await store.verify({ ...key, codeHash: hashCode(pepper, key, request.code), clientIp: caller.clientIp })
      metrics.verifies.inc({ channel: key.channel, result: result.outcome })
      if (result.outcome !== 'missing') stats.record(statOf[result.outcome], key.channel)
      switch (result.outcome) {
        case 'expired':
        case 'missing':
          throw new errors.OTP_EXPIRED()
        case 'invalid':
          throw withDetails(new errors.OTP_INVALID(), { attemptsLeft: result.attemptsLeft })
        case 'locked':
        case 'client_locked':
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

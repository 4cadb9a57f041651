import type { Sender } from '@otp-suite/delivery'
import { normalizeEmail } from '@otp-suite/destination'
import { type TokenService, errors as tokenErrors, type VerifiedClaims } from '@otp-suite/jwt'
import { withDetails } from '@otp-suite/service-kit'
import { errors } from '../errors.ts'
import type { PrismaClient, User } from '../generated/prisma/client.ts'
import { toUserReply } from './user.ts'

const isUniqueViolation = (error: unknown) => (error as { code?: string }).code === 'P2002'
/** Prisma's "no row to update": the user is no longer active. */
const isNotFound = (error: unknown) => (error as { code?: string }).code === 'P2025'

type Dependencies = {
  prisma: PrismaClient
  tokens: TokenService
  mailer: Sender
  verifyUrl: string
  subject: string
  /** Links one user may have mailed per hour. */
  hourlyLinks: number
}

/**
 * A signed-in user's phone (proved by an otp-service `verify_phone` proof) and email (proved by a
 * mailed link carrying a 24-hour `email_verify` token). Each proof and each link works once; a
 * phone or email another user of the same user type has is `409`.
 */
export function createContacts({ prisma, tokens, mailer, verifyUrl, subject, hourlyLinks }: Dependencies) {
  /** Spends a single-use token and applies `change` in one transaction; false when it was spent before. */
  async function spendAndUpdate(claims: { jti: string; exp: number }, kind: string, userId: string, change: Partial<User>) {
    return prisma.$transaction(async (tx) => {
      const spent = await tx.spentToken.createMany({
        data: [{ jti: claims.jti, kind, expiresAt: new Date(claims.exp * 1000) }],
        skipDuplicates: true,
      })
      if (spent.count === 0) return null
      // Only an active user's: a link mailed before a ban changes nothing after it.
      return tx.user.update({ where: { id: userId, status: 'active' }, data: change })
    })
  }

  return {
    async attachPhone(user: User, proof: string) {
      let claims: VerifiedClaims<'otp_proof'>
      try {
        claims = tokens.verify('otp_proof', proof)
      } catch {
        throw new errors.PROOF_INVALID()
      }
      if (claims.purpose !== 'verify_phone' || claims.channel !== 'sms' || claims.userType !== user.userType)
        throw new errors.PROOF_INVALID()
      const updated = await spendAndUpdate(claims, 'otp_proof', user.id, { phone: claims.sub, phoneVerified: true }).catch(
        (error: unknown) => {
          if (isUniqueViolation(error)) throw new errors.PHONE_TAKEN()
          // Banned (or deleted) since the request's token was checked: as the next request would be.
          if (isNotFound(error)) throw new tokenErrors.TOKEN_REVOKED()
          throw error
        },
      )
      if (!updated) throw new errors.PROOF_INVALID()
      return toUserReply(updated)
    },

    /** Mails a confirmation link for `input` to that address; the address is only set when the link is used. */
    async requestEmailVerification(user: User, input: string) {
      const email = normalizeEmail(input)
      // Each link is a mail to an address the user chose: a few an hour, counted in the user's row by
      // one statement, so instances and concurrent requests cannot exceed it together. An address
      // another user has counts too (answered 409 below), so no one learns whose addresses have
      // accounts faster than they could mail them.
      const [counted] = await prisma.$queryRaw<{ sent: Date[] }[]>`
        UPDATE users SET email_links_sent_at =
          ARRAY(SELECT t FROM unnest(email_links_sent_at) t WHERE t > now() - interval '1 hour' ORDER BY t) || now()
        WHERE id = ${user.id}::uuid
          AND cardinality(ARRAY(SELECT t FROM unnest(email_links_sent_at) t WHERE t > now() - interval '1 hour')) < ${hourlyLinks}
        RETURNING email_links_sent_at AS sent`
      if (!counted) {
        const oldest = Math.min(
          ...user.emailLinksSentAt.map((sent) => new Date(sent).getTime()).filter((time) => time > Date.now() - 3_600_000),
        )
        const retryAfter = Math.max(1, Math.ceil((oldest + 3_600_000 - Date.now()) / 1000))
        throw withDetails(new errors.EMAIL_LINK_LIMIT(), { retryAfter: Number.isFinite(retryAfter) ? retryAfter : 3600 })
      }
      const owner = await prisma.user.findUnique({ where: { userType_email: { userType: user.userType, email } } })
      if (owner && owner.id !== user.id) throw new errors.EMAIL_TAKEN()
      const link = tokens.sign('email_verify', { sub: user.id, email })
      await mailer
        .send({
          channel: 'email',
          to: email,
          subject,
          text: `Confirm your email address by opening this link within 24 hours:\n\n${verifyUrl}${link.token}\n\nIf you did not ask for it, ignore this message.`,
          record: { purpose: 'verify_email', link: `${verifyUrl}${link.token}` },
        })
        .catch((error: unknown) => {
          // Logged once, as the answer's outage, with its cause and channel; the answer carries neither.
          throw Object.assign(new errors.DELIVERY_FAILED({ cause: error }), { channel: 'email' })
        })
    },

    async confirmEmail(token: string) {
      let claims: VerifiedClaims<'email_verify'>
      try {
        claims = tokens.verify('email_verify', token)
      } catch (error) {
        throw (error as { code?: string }).code === 'TOKEN_EXPIRED' ? new errors.LINK_EXPIRED() : new errors.LINK_INVALID()
      }
      const updated = await spendAndUpdate(claims, 'email_verify', claims.sub, { email: claims.email, emailVerified: true }).catch(
        (error: unknown) => {
          if (isUniqueViolation(error)) throw new errors.EMAIL_TAKEN()
          // The user was deleted since the link was mailed.
          if (isNotFound(error)) throw new errors.LINK_INVALID()
          throw error
        },
      )
      if (!updated) throw new errors.LINK_INVALID()
      return { verified: true as const }
    },
  }
}

export type Contacts = ReturnType<typeof createContacts>

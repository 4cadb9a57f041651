import { Type } from 'typebox'

export const CHANNELS = ['sms', 'email'] as const
export const PURPOSES = ['login', 'signup', 'verify_phone', 'verify_email'] as const
export const USER_TYPES = ['live', 'demo'] as const

export type Channel = (typeof CHANNELS)[number]
export type Purpose = (typeof PURPOSES)[number]
export type UserType = (typeof USER_TYPES)[number]

export const ChannelSchema = Type.Union(
  CHANNELS.map((channel) => Type.Literal(channel)),
  { description: 'Delivery channel' },
)
export const PurposeSchema = Type.Union(
  PURPOSES.map((purpose) => Type.Literal(purpose)),
  { description: 'What the code is for; a code verifies only the purpose it was sent for' },
)
export const UserTypeSchema = Type.Union(
  USER_TYPES.map((userType) => Type.Literal(userType)),
  { default: 'live', description: 'Live or demo user' },
)

type TextOptions = { minLength?: number; maxLength: number; description?: string }
const PRINTABLE = '[^\\p{Cc}\\p{Cf}\\p{Cs}\\p{Zl}\\p{Zp}]*'

/**
 * Text that can reach a log line or a database: no control characters (NUL, which PostgreSQL
 * cannot store, escapes, line breaks), no invisible format characters (bidi overrides, zero-width
 * joiners) and no lone surrogate halves (not valid UTF-8 once encoded).
 */
export const PrintableText = (options: TextOptions) => Type.String({ ...options, pattern: `^${PRINTABLE}$` })

/**
 * Printable text with something to read (a name, the reason for a ban): not only spaces, marks
 * on nothing, unassigned or private-use characters, or the fillers that show as blank (Hangul
 * fillers, the empty braille cell).
 */
export const VisibleText = (options: TextOptions) =>
  Type.String({ ...options, pattern: `^(?=.*[^\\s\\p{M}\\p{Cn}\\p{Co}\\u115F\\u1160\\u3164\\uFFA0\\u2800])${PRINTABLE}$` })

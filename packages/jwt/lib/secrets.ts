/**
 * HS256 is only as strong as its key: 32 bytes matches the hash size and is what API.md asks of
 * JWT_SECRET in production. Outside production, 16 bytes still rules out the accidental
 * "test"/"abc" secrets that make a local setup silently insecure, while letting developers type
 * a memorable value.
 */
const MIN_BYTES_PRODUCTION = 32
const MIN_BYTES_DEVELOPMENT = 16
/**
 * What the estimate below must reach in production. 32 random bytes written in hex, base64 or
 * base64url score about 180 bits at the lowest (250 on average); repeated patterns score next to
 * nothing however long they are.
 */
const MIN_ESTIMATED_BITS = 128
// Random text in any of those encodings stays above 3.3 bits per character; a few characters
// cycling ("0123…" with one odd one out) stays near 2.
const MIN_BITS_PER_CHARACTER = 3

/** Values copied from tutorials and .env examples; long enough to pass the length check alone. */
const WEAK_EXACT = new Set(['secret', 'changeme', 'change-me', 'your-secret-key', 'jwt-secret', 'password'])
const WEAK_PREFIXES = ['dev-secret', 'development-secret', 'test-secret', 'changeme', 'change-me', 'your-secret', 'secret']

function isKnownWeak(secret: string) {
  const lower = secret.trim().toLowerCase()
  return WEAK_EXACT.has(lower) || WEAK_PREFIXES.some((prefix) => lower.startsWith(prefix))
}

/** The shortest prefix that `value` repeats ("abcabca" → "abc"): a repetition adds no secret. */
function repeatedUnit(value: string): string {
  for (let period = 1; period <= value.length / 2; period++) {
    if (value.slice(period) === value.slice(0, value.length - period)) return value.slice(0, period)
  }
  return value
}

/** Shannon entropy of the characters' frequencies, per character and in total, over the repeated unit. */
function estimateEntropy(value: string): { bits: number; bitsPerCharacter: number } {
  const characters = [...repeatedUnit(value)]
  const counts = new Map<string, number>()
  for (const character of characters) counts.set(character, (counts.get(character) ?? 0) + 1)
  let bitsPerCharacter = 0
  for (const count of counts.values()) {
    const share = count / characters.length
    bitsPerCharacter -= share * Math.log2(share)
  }
  return { bits: bitsPerCharacter * characters.length, bitsPerCharacter }
}

/**
 * Refuses a secret too short to be a key (16 bytes, 32 in production) and, in production, a
 * well-known default or one whose characters are too predictable (one repeated, a short cycle, a
 * handful of distinct ones). The message names `name`, never the value.
 */
export function assertStrongSecret(name: string, value: string, { production }: { production: boolean }): void {
  const min = production ? MIN_BYTES_PRODUCTION : MIN_BYTES_DEVELOPMENT
  if (Buffer.byteLength(value, 'utf8') < min) {
    throw new Error(`${name} must be at least ${min} bytes${production ? ' in production' : ''}`)
  }
  if (!production) return
  if (isKnownWeak(value)) {
    throw new Error(`${name} is a well-known default value; set a random secret in production`)
  }
  const { bits, bitsPerCharacter } = estimateEntropy(value)
  if (bits < MIN_ESTIMATED_BITS || bitsPerCharacter < MIN_BITS_PER_CHARACTER) {
    throw new Error(
      `${name} is too predictable for production (about ${Math.round(bits)} bits); use 32 random bytes, e.g. openssl rand -base64 32`,
    )
  }
}

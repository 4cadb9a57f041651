import { domainToASCII } from 'node:url'
import isEmailModule from 'validator/lib/isEmail.js'
import { errors } from './errors.ts'

// The CommonJS module's function, as its type declarations describe it.
const isEmail = isEmailModule.default

// A bare address only: no display name, no comment, no group, no address literal, no non-ASCII
// local part (mail systems disagree on what such a part equals).
// Local parts that name a mailbox another way: quoted (`"a"@b.c` is `a@b.c`), routed through
// another host (`a%b.c@relay`, `host!a@b.c`), or an encoded word (`=?utf-8?q?…?=`).
const sourceRouted = /^"|[%!]|=\?/
const bareAddress = { allow_display_name: false, require_tld: true, allow_ip_domain: false, allow_utf8_local_part: false }

/**
 * One mailbox, one form: `Name <a@b.c>`, `a@b.c(comment)`, `group:a@b.c;` and lists are refused
 * instead of being read as another destination that delivers to the same mailbox; a quoted local
 * part (`"a"@b.c` is `a@b.c`) likewise. The address is lower-cased and an international domain
 * put in its ASCII (punycode) form, so `a@exämple.com` and `a@xn--exmple-cua.com` are one destination.
 */
export function normalizeEmail(input: string): string {
  const trimmed = input.trim()
  const at = trimmed.lastIndexOf('@')
  if (at < 1 || sourceRouted.test(trimmed.slice(0, at)) || !isEmail(trimmed, bareAddress)) throw new errors.INVALID_EMAIL()
  const domain = domainToASCII(trimmed.slice(at + 1).toLowerCase())
  const email = `${trimmed.slice(0, at).toLowerCase()}@${domain}`
  if (domain === '' || email.length > 254) throw new errors.INVALID_EMAIL()
  return email
}

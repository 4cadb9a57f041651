import t from 'tap'
import { normalizeEmail } from '../index.ts'

t.test('a bare address is trimmed, lower-cased, its domain in ASCII', async (t) => {
  t.equal(normalizeEmail('  Victim@Example.COM '), 'victim@example.com')
  t.equal(normalizeEmail('victim@exämple.com'), 'victim@xn--exmple-cua.com')
  t.equal(normalizeEmail('victim@xn--exmple-cua.com'), 'victim@xn--exmple-cua.com', 'both spellings are one destination')
  t.equal(normalizeEmail('a@例え.jp'), 'a@xn--r8jz45g.jp')
  t.equal(normalizeEmail('first.last+tag@sub.example.org'), 'first.last+tag@sub.example.org')
})

t.test('anything that names a mailbox another way is refused', async (t) => {
  const hostile = [
    'x<victim@example.com>',
    'Victim <victim@example.com>',
    'victim@example.com(1)',
    '(c)victim@example.com',
    'g:victim@example.com;',
    '"victim"@example.com',
    '"a b"@example.com',
    'victim%example.com@relay.example',
    'host!victim@example.com',
    '=?utf-8?q?x?=@example.com',
    'victim@example.com,other@example.com',
    'victim@example.com other@example.com',
    'victim@example.com\nBcc: other@example.com',
    'a\u0000b@example.com',
    'victim@[127.0.0.1]',
    'ü@example.com',
    'victim@localhost',
    'user-at-example.com',
    'a..b@example.com',
    `${'a'.repeat(65)}@example.com`,
    `a@${'b'.repeat(250)}.com`,
  ]
  for (const input of hostile) {
    t.throws(() => normalizeEmail(input), { code: 'INVALID_EMAIL', statusCode: 400 }, JSON.stringify(input))
  }
})

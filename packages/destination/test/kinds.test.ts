import { Ajv } from 'ajv'
import t from 'tap'
import { PrintableText, VisibleText } from '../index.ts'

t.test('printable text refuses what PostgreSQL or a log line cannot take as is', async (t) => {
  const valid = new Ajv().compile(PrintableText({ maxLength: 100 }))
  t.ok(valid('victim@exämple.com'))
  t.ok(valid('+1 (415) 555-4001'))
  for (const hostile of [
    'a\u0000b',
    'a\u001bb',
    'a\u007fb',
    'a\nb',
    'a\u0085b',
    'a\u202eb',
    'a\u200db',
    'a\ufeffb',
    'a\u2028b',
    'a\ud800b',
    'a\udfffb',
  ]) {
    t.notOk(valid(hostile), `U+${hostile.charCodeAt(1).toString(16).padStart(4, '0')}`)
  }
})

t.test('visible text is printable text that is not only spaces', async (t) => {
  const valid = new Ajv().compile(VisibleText({ minLength: 1, maxLength: 100 }))
  t.ok(valid('Ada'))
  t.ok(valid(' Ada Lovelace '))
  t.ok(valid('李'))
  t.ok(valid('\u3164A'), 'a filler beside a letter')
  const blanks = [
    '',
    ' ',
    '   ',
    '\u00a0',
    '\u3000 ',
    '\u3164',
    '\u115f\u1160',
    '\uffa0',
    ' \u2800 ',
    '\u034f',
    '\u0301',
    '\ufe0f',
    '\u{e0100}',
  ]
  for (const blank of [...blanks, '\u0378', '\ue000']) t.notOk(valid(blank), JSON.stringify(blank))
  t.notOk(valid('Ada\u0000'), 'and printable')
})

import { Ajv } from 'ajv'
import t from 'tap'
import { PrintableText } from '../index.ts'

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

import t from 'tap'
import { createInstances, listOf, neverSent } from '../lib/instances.ts'

const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })
const fetchRefused = Object.assign(new TypeError('fetch failed'), { cause: refused })

t.test('calls start at the next instance in turn', async (t) => {
  const viaInstances = createInstances(['a', 'b', 'c'])
  const first: string[] = []
  for (let i = 0; i < 4; i++) first.push(await viaInstances(async (url) => url))
  t.same(first, ['a', 'b', 'c', 'a'])
})

t.test('a request that never left goes to the next instance; one that may have arrived does not', async (t) => {
  const viaInstances = createInstances(['down', 'up'])
  const tried: string[] = []
  const answer = await viaInstances(async (url) => {
    tried.push(url)
    if (url === 'down') throw fetchRefused
    return 'answered'
  })
  t.equal(answer, 'answered')
  t.same(tried, ['down', 'up'])

  const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })
  const once = createInstances(['x', 'y'])
  let calls = 0
  await t.rejects(
    once(async () => {
      calls++
      throw reset
    }),
    reset,
  )
  t.equal(calls, 1, 'a lost connection may have carried the request out: not sent again')
})

t.test('when every instance fails, the last failure is thrown, each tried once', async (t) => {
  const viaInstances = createInstances(['a', 'b'])
  let calls = 0
  await t.rejects(
    viaInstances(async (url) => {
      calls++
      throw Object.assign(new Error(url), { code: 'ECONNREFUSED' })
    }),
    { message: 'b' },
  )
  t.equal(calls, 2)
  t.throws(() => createInstances([]))
})

t.test('lists and codes', async (t) => {
  t.same(listOf(' http://a:1 ,http://b:2,, '), ['http://a:1', 'http://b:2'])
  t.ok(neverSent(fetchRefused))
  t.notOk(neverSent(new Error('no code')))
})

import t from 'tap'
import { lastCode, testDatabase, twoInstances } from './helpers.ts'

const database = await testDatabase(t)

const count = (statuses: number[], status: number) => statuses.filter((value) => value === status).length

t.test('sent on one instance, verified on the other; limits are shared', async (t) => {
  const { env, post } = await twoInstances(t, database.url)
  const target = { channel: 'sms', to: '+14155553001', purpose: 'login' }
  t.equal((await post(0, 'send', target)).status, 202)
  const cooldown = await post(1, 'send', target)
  t.equal(cooldown.status, 429, 'the other instance knows about the send')
  t.equal(cooldown.body.code, 'OTP_SEND_COOLDOWN')
  const verified = await post(1, 'verify', { ...target, code: await lastCode(env, target.to) })
  t.equal(verified.status, 200)
  t.equal(verified.body.verified, true)
})

t.test('twenty concurrent correct verifies over two instances: exactly one succeeds', async (t) => {
  const { env, post } = await twoInstances(t, database.url)
  const target = { channel: 'email', to: 'race@example.com', purpose: 'login' }
  await post(0, 'send', target)
  const code = await lastCode(env, target.to)
  const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => post(i % 2, 'verify', { ...target, code })))
  const statuses = replies.map((reply) => reply.status)
  t.equal(count(statuses, 200), 1, 'one success')
  t.equal(count(statuses, 410), 19, 'every other verify finds the code used')
})

t.test('concurrent wrong guesses cannot exceed the attempt cap', async (t) => {
  const { env, post } = await twoInstances(t, database.url, { OTP_MAX_ATTEMPTS: '5' })
  const target = { channel: 'email', to: 'guess@example.com', purpose: 'login' }
  await post(1, 'send', target)
  const code = await lastCode(env, target.to)
  const wrong = code === '123123' ? '321321' : '123123'
  const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => post(i % 2, 'verify', { ...target, code: wrong })))
  const statuses = replies.map((reply) => reply.status)
  t.equal(count(statuses, 400), 5, 'exactly the allowed number of guesses were judged')
  t.equal(count(statuses, 429), 15, 'the rest were refused')
  t.same(
    replies
      .filter((reply) => reply.status === 400)
      .map((reply) => reply.body.attemptsLeft)
      .sort(),
    [0, 1, 2, 3, 4],
  )
  t.equal((await post(0, 'verify', { ...target, code })).status, 429, 'the right code comes too late')
})

t.test('concurrent sends to one destination over two instances: one goes out', async (t) => {
  const { env, post } = await twoInstances(t, database.url)
  const target = { channel: 'email', to: 'burst@example.com', purpose: 'login' }
  const replies = await Promise.all(Array.from({ length: 10 }, (_, i) => post(i % 2, 'send', target)))
  const statuses = replies.map((reply) => reply.status)
  t.equal(count(statuses, 202), 1)
  t.equal(count(statuses, 429), 9)
  const delivered = await lastCode(env, target.to)
  t.equal((await post(1, 'verify', { ...target, code: delivered })).status, 200, 'and the delivered code is the live one')
})

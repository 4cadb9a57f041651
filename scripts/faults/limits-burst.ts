// Two otp-service instances on one database, hit by one burst of concurrent sends and then one of
// wrong guesses, from many client addresses (X-Forwarded-For from a trusted proxy), every request
// going to either instance. Every limit must hold exactly, not about: sends per destination per
// window (OTP_SEND_WINDOW_MAX), sends per client address (OTP_IP_MAX, an IPv6 client by its /64),
// wrong guesses per code (OTP_MAX_ATTEMPTS, then locked even for the right code) and wrong guesses
// per client address (OTP_VERIFY_IP_MAX).
//
//   node --import tsx scripts/faults/limits-burst.ts
//
// Prints one line per check with its counts; exits 0 when every check holds, 1 otherwise.
import { readFileSync } from 'node:fs'
import http from 'node:http'
import { startService } from '@otp-suite/testing'
import { atCleanUp, check, cleanUp, otpEnv, owner, request, tally, verdict } from './lib.ts'

const WINDOW_MAX = 3
const IP_MAX = 5
const MAX_ATTEMPTS = 5
const VERIFY_IP_MAX = 8

const groupBy = <T>(items: T[], key: (item: T) => string) => {
  const groups = new Map<string, T[]>()
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item])
  return groups
}

// ---------------------------------------------------------------------------------------------
// Requests: each to an instance chosen by the caller, as from the address in X-Forwarded-For.

type Target = { channel: 'sms' | 'email'; to: string; purpose: 'login' }
type Reply = { status: number; code: string; message: string; retryAfter: number; attemptsLeft?: number; instance: number }

async function post(base: string, agent: http.Agent, path: string, body: object, address: string): Promise<Omit<Reply, 'instance'>> {
  const reply = await request(`${base}${path}`, { body, agent, headers: { 'x-forwarded-for': address } })
  if (reply.status === 0) throw new Error(`${path}: ${reply.body.error}`)
  return {
    status: reply.status,
    code: String(reply.body.code ?? ''),
    message: String(reply.body.message ?? ''),
    retryAfter: Number(reply.headers['retry-after'] ?? Number.NaN),
    ...(typeof reply.body.attemptsLeft === 'number' && { attemptsLeft: reply.body.attemptsLeft }),
  }
}

/** A fresh client address each call: IPv4 from the benchmarking range 198.18.0.0/15. */
let addresses = 0
const nextAddress = () => {
  const n = ++addresses
  return `198.${18 + (n >> 16)}.${(n >> 8) & 255}.${n & 255}`
}
let destinations = 0
const nextTarget = (channel: Target['channel']): Target => {
  const n = ++destinations
  return channel === 'sms'
    ? { channel, to: `+1415${String(2_000_000 + n).padStart(7, '0')}`, purpose: 'login' }
    : { channel, to: `burst-${n}@example.com`, purpose: 'login' }
}
const wrongFor = (code: string) => code.replace(/^./, (digit) => String((Number(digit) + 1) % 10))

/** Fisher-Yates: the groups of a burst arrive interleaved, not one after another. */
function shuffled<T>(items: T[]) {
  const copy = [...items]
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1))
    ;[copy[i], copy[j]] = [copy[j] as T, copy[i] as T]
  }
  return copy
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const { env, outbox } = await otpEnv({
    TRUSTED_PROXIES: '127.0.0.1',
    OTP_SEND_WINDOW_MAX: String(WINDOW_MAX),
    OTP_SEND_WINDOW_SECONDS: '300',
    // No cooldown and a daily limit out of the way, so the window is what stops a destination.
    OTP_RESEND_COOLDOWN_SECONDS: '0',
    OTP_SEND_DAILY_MAX: '100',
    OTP_IP_MAX: String(IP_MAX),
    OTP_IP_WINDOW_SECONDS: '3600',
    OTP_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
    OTP_VERIFY_IP_MAX: String(VERIFY_IP_MAX),
    OTP_VERIFY_IP_WINDOW_SECONDS: '3600',
    OTP_CLEANUP_INTERVAL_SECONDS: '0',
  })
  const started = performance.now()
  const first = await startService(owner, 'otp-service', env)
  const second = await startService(owner, 'otp-service', { ...env, DATABASE_URL: first.databaseUrl as string })
  console.log(
    `two otp-service instances on one database (${first.url}, ${second.url}), started in ${Math.round(performance.now() - started)} ms`,
  )
  console.log(
    `      OTP_SEND_WINDOW_MAX=${WINDOW_MAX} OTP_IP_MAX=${IP_MAX} OTP_MAX_ATTEMPTS=${MAX_ATTEMPTS} OTP_VERIFY_IP_MAX=${VERIFY_IP_MAX} OTP_RESEND_COOLDOWN_SECONDS=0 TRUSTED_PROXIES=127.0.0.1`,
  )
  const instances = [first.url, second.url]
  const agents = instances.map(() => new http.Agent({ keepAlive: true, maxSockets: 150 }))
  atCleanUp(() => {
    for (const agent of agents) agent.destroy()
  })
  let spread = 0
  /** One request, to the instances in turn. */
  const toInstance = async (path: string, body: object, address: string): Promise<Reply> => {
    const instance = spread++ % 2
    return { ...(await post(instances[instance] as string, agents[instance] as http.Agent, path, body, address)), instance }
  }
  const send = (target: Target, address: string) => toInstance('/api/v1/otp/send', target, address)
  const verify = (target: Target, code: string, address: string) => toInstance('/api/v1/otp/verify', { ...target, code }, address)
  const codes = () => {
    const latest = new Map<string, string>()
    for (const line of readFileSync(outbox, 'utf8').trim().split('\n')) {
      const entry = JSON.parse(line) as { to: string; code: string }
      latest.set(entry.to, entry.code)
    }
    return latest
  }
  /** Codes delivered per destination so far. */
  const deliveries = () => {
    const counts = new Map<string, number>()
    for (const line of readFileSync(outbox, 'utf8').trim().split('\n')) {
      const to = (JSON.parse(line) as { to: string }).to
      counts.set(to, (counts.get(to) ?? 0) + 1)
    }
    return counts
  }
  const describe = (replies: Reply[]) => tally(replies.map((reply) => `${reply.status}${reply.code ? ` ${reply.code}` : ''}`))
  const byInstance = (replies: Reply[]) =>
    `instance 1: ${describe(replies.filter((r) => r.instance === 0))}; instance 2: ${describe(replies.filter((r) => r.instance === 1))}`
  const retryAfterOnEvery429 = (replies: Reply[]) => replies.filter((reply) => reply.status === 429).every((reply) => reply.retryAfter > 0)

  // 1. One burst of sends.
  type Job = { group: string; key: string; run: () => Promise<Reply> }
  const jobs: Job[] = []
  // Window: 20 destinations, 12 sends each, each send from an address of its own.
  const windowed = Array.from({ length: 20 }, (_, i) => nextTarget(i % 2 === 0 ? 'sms' : 'email'))
  for (const target of windowed)
    for (let k = 0; k < 12; k++) {
      const address = nextAddress()
      jobs.push({ group: 'window', key: target.to, run: () => send(target, address) })
    }
  // Per address: 20 addresses (10 IPv4, 10 IPv6 /64 networks with a different host each request),
  // 12 sends each, every one to a destination of its own.
  const senders: { key: string; address: (k: number) => string }[] = []
  for (let i = 0; i < 10; i++) {
    const ipv4 = nextAddress()
    senders.push({ key: ipv4, address: () => ipv4 })
    const network = `2001:db8:${(0x100 + i).toString(16)}:0`
    senders.push({ key: `${network}::/64`, address: (k) => `${network}:${(k + 1).toString(16)}::${(k * 7 + 1).toString(16)}` })
  }
  const perAddressTargets: Target[] = []
  for (const sender of senders)
    for (let k = 0; k < 12; k++) {
      const target = nextTarget(k % 2 === 0 ? 'sms' : 'email')
      perAddressTargets.push(target)
      jobs.push({ group: 'address', key: sender.key, run: () => send(target, sender.address(k)) })
    }
  // Codes for the guessing burst: 20 to be guessed at by many addresses, 10 × 16 for 10 guessers.
  const guessedCodes = Array.from({ length: 20 }, (_, i) => nextTarget(i % 2 === 0 ? 'sms' : 'email'))
  const guessers = Array.from({ length: 10 }, () => ({
    address: nextAddress(),
    targets: Array.from({ length: 16 }, (_, i) => nextTarget(i % 2 === 0 ? 'sms' : 'email')),
  }))
  for (const target of [...guessedCodes, ...guessers.flatMap((guesser) => guesser.targets)]) {
    const address = nextAddress()
    jobs.push({ group: 'setup', key: target.to, run: () => send(target, address) })
  }

  let burstStarted = performance.now()
  const sendReplies = await Promise.all(shuffled(jobs).map(async (job) => ({ job, reply: await job.run() })))
  console.log(
    `      send burst: ${sendReplies.length} concurrent sends over both instances in ${Math.round(performance.now() - burstStarted)} ms`,
  )
  const repliesOf = (group: string) => sendReplies.filter((entry) => entry.job.group === group)

  const windowReplies = repliesOf('window')
  const perDestination = [...groupBy(windowReplies, (entry) => entry.job.key).values()].map(
    (entries) => entries.filter((entry) => entry.reply.status === 202).length,
  )
  const windowRefusals = windowReplies.filter((entry) => entry.reply.status === 429)
  // A refusal names the window, or now and then the cooldown (see below): either way a 429 with
  // Retry-After, and exactly the window's sends go out.
  const refusedAsCooldown = windowRefusals.filter((entry) => entry.reply.code === 'OTP_SEND_COOLDOWN').length
  check(
    `send window: ${windowed.length} destinations × 12 concurrent sends from distinct addresses: ${describe(windowReplies.map((entry) => entry.reply))}; 202s per destination ${tally(perDestination)} (expected ${WINDOW_MAX} each); every 429 carries Retry-After`,
    perDestination.every((n) => n === WINDOW_MAX) &&
      windowRefusals.length === windowReplies.length - WINDOW_MAX * windowed.length &&
      windowRefusals.every(
        (entry) =>
          (entry.reply.code === 'OTP_SEND_LIMIT' && /destination/.test(entry.reply.message)) || entry.reply.code === 'OTP_SEND_COOLDOWN',
      ) &&
      retryAfterOnEvery429(windowRefusals.map((entry) => entry.reply)),
  )
  if (refusedAsCooldown > 0)
    console.log(
      `      note: ${refusedAsCooldown} of those refusals said OTP_SEND_COOLDOWN although OTP_RESEND_COOLDOWN_SECONDS=0: a send is stamped with its transaction's start (now()), so a batch that began before another instance's batch but took the destination's lock after it finds a send stamped later than its own now()`,
    )
  console.log(`      send window by instance: ${byInstance(windowReplies.map((entry) => entry.reply))}`)
  const delivered = deliveries()
  const windowDeliveries = windowed.map((target) => delivered.get(target.to) ?? 0)
  check(
    `send window: codes delivered per destination ${tally(windowDeliveries)} (expected ${WINDOW_MAX} each)`,
    windowDeliveries.every((n) => n === WINDOW_MAX),
  )

  const addressReplies = repliesOf('address')
  const perAddress = [...groupBy(addressReplies, (entry) => entry.job.key).entries()].map(([key, entries]) => ({
    key,
    accepted: entries.filter((entry) => entry.reply.status === 202).length,
  }))
  const addressRefusals = addressReplies.filter((entry) => entry.reply.status === 429)
  check(
    `per address: ${senders.length} addresses (10 IPv4, 10 IPv6 /64s, a new host each request) × 12 concurrent sends to fresh destinations: ${describe(addressReplies.map((entry) => entry.reply))}; 202s per address ${tally(perAddress.map((entry) => entry.accepted))} (expected ${IP_MAX} each); every 429 is OTP_SEND_LIMIT "address" with Retry-After`,
    perAddress.every((entry) => entry.accepted === IP_MAX) &&
      addressRefusals.length === addressReplies.length - IP_MAX * senders.length &&
      addressRefusals.every((entry) => entry.reply.code === 'OTP_SEND_LIMIT' && /address/.test(entry.reply.message)) &&
      retryAfterOnEvery429(addressRefusals.map((entry) => entry.reply)),
  )
  const perAddressDelivered = perAddressTargets.filter((target) => delivered.has(target.to)).length
  check(
    `per address: ${perAddressDelivered} codes delivered (expected ${IP_MAX * senders.length})`,
    perAddressDelivered === IP_MAX * senders.length,
  )
  const setupReplies = repliesOf('setup')
  check(
    `codes to guess at, sent in the same burst from distinct addresses: ${describe(setupReplies.map((entry) => entry.reply))}`,
    setupReplies.every((entry) => entry.reply.status === 202),
  )

  // 2. One burst of wrong guesses: 15 at each of 20 codes, each from an address of its own; and 16
  // by each of 10 guessers, one at each of its own 16 codes.
  const latest = codes()
  const guessJobs: Job[] = []
  for (const target of guessedCodes)
    for (let k = 0; k < 15; k++) {
      const address = nextAddress()
      guessJobs.push({ group: 'attempts', key: target.to, run: () => verify(target, wrongFor(latest.get(target.to) ?? '000000'), address) })
    }
  for (const guesser of guessers)
    for (const target of guesser.targets)
      guessJobs.push({
        group: 'guesser',
        key: guesser.address,
        run: () => verify(target, wrongFor(latest.get(target.to) ?? '000000'), guesser.address),
      })
  burstStarted = performance.now()
  const guessReplies = await Promise.all(shuffled(guessJobs).map(async (job) => ({ job, reply: await job.run() })))
  console.log(
    `      guess burst: ${guessReplies.length} concurrent wrong guesses over both instances in ${Math.round(performance.now() - burstStarted)} ms`,
  )

  const attemptReplies = guessReplies.filter((entry) => entry.job.group === 'attempts')
  const perCode = [...groupBy(attemptReplies, (entry) => entry.job.key).values()].map((entries) => ({
    judged: entries.filter((entry) => entry.reply.status === 400 && entry.reply.code === 'OTP_INVALID').length,
    left: entries
      .filter((entry) => entry.reply.status === 400)
      .map((entry) => entry.reply.attemptsLeft)
      .sort()
      .join(','),
    locked: entries.filter((entry) => entry.reply.status === 429 && entry.reply.code === 'OTP_TOO_MANY_ATTEMPTS').length,
  }))
  const expectedLeft = Array.from({ length: MAX_ATTEMPTS }, (_, i) => i).join(',')
  check(
    `attempts per code: ${guessedCodes.length} codes × 15 concurrent wrong guesses from distinct addresses: ${describe(attemptReplies.map((entry) => entry.reply))}; 400s per code ${tally(perCode.map((entry) => entry.judged))} (expected exactly ${MAX_ATTEMPTS}, never ${MAX_ATTEMPTS + 1}), attemptsLeft per code ${tally(perCode.map((entry) => `[${entry.left}]`))}`,
    perCode.every((entry) => entry.judged === MAX_ATTEMPTS && entry.locked === 15 - MAX_ATTEMPTS && entry.left === expectedLeft) &&
      retryAfterOnEvery429(attemptReplies.map((entry) => entry.reply)),
  )
  console.log(`      attempts per code by instance: ${byInstance(attemptReplies.map((entry) => entry.reply))}`)

  const guesserReplies = guessReplies.filter((entry) => entry.job.group === 'guesser')
  const perGuesser = [...groupBy(guesserReplies, (entry) => entry.job.key).values()].map(
    (entries) => entries.filter((entry) => entry.reply.status === 400 && entry.reply.code === 'OTP_INVALID').length,
  )
  const guesserRefusals = guesserReplies.filter((entry) => entry.reply.status === 429)
  check(
    `wrong guesses per address: ${guessers.length} addresses × 16 concurrent wrong guesses, one per code: ${describe(guesserReplies.map((entry) => entry.reply))}; 400s per address ${tally(perGuesser)} (expected ${VERIFY_IP_MAX} each)`,
    perGuesser.every((n) => n === VERIFY_IP_MAX) &&
      guesserRefusals.length === guesserReplies.length - VERIFY_IP_MAX * guessers.length &&
      guesserRefusals.every((entry) => entry.reply.code === 'OTP_TOO_MANY_ATTEMPTS') &&
      retryAfterOnEvery429(guesserRefusals.map((entry) => entry.reply)),
  )

  // 3. After the locks: the right code is refused where a lock holds, and accepted where none does.
  const rightAfterLock = await Promise.all(guessedCodes.map((target) => verify(target, latest.get(target.to) ?? '', nextAddress())))
  check(
    `right code after ${MAX_ATTEMPTS} wrong guesses, from a fresh address, ${guessedCodes.length} codes: ${describe(rightAfterLock)} (expected 429 OTP_TOO_MANY_ATTEMPTS each)`,
    rightAfterLock.every((reply) => reply.status === 429 && reply.code === 'OTP_TOO_MANY_ATTEMPTS'),
  )
  const fromGuesser = await Promise.all(
    guessers.map((guesser) => verify(guesser.targets[0] as Target, latest.get(guesser.targets[0]?.to ?? '') ?? '', guesser.address)),
  )
  const fromOthers = await Promise.all(
    guessers.map((guesser) => verify(guesser.targets[0] as Target, latest.get(guesser.targets[0]?.to ?? '') ?? '', nextAddress())),
  )
  check(
    `right code from a capped guesser's address: ${describe(fromGuesser)} (expected 429); the same codes from other addresses: ${describe(fromOthers)} (expected 200)`,
    fromGuesser.every((reply) => reply.status === 429) && fromOthers.every((reply) => reply.status === 200),
  )
  const again = await Promise.all(windowed.map((target) => send(target, nextAddress())))
  check(
    `one more send to each windowed destination afterwards: ${describe(again)} (expected 429 OTP_SEND_LIMIT)`,
    again.every((reply) => reply.status === 429 && reply.code === 'OTP_SEND_LIMIT'),
  )
}

await verdict(main, cleanUp, { deadlineMs: 55_000 })

import { appendFile, mkdir } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { FastifyBaseLogger } from 'fastify'
import type { Sender } from './sender.ts'

/** Local development only: the code goes to the log, the one place a code may ever be logged. */
export function consoleSender(log: FastifyBaseLogger): Sender {
  return {
    async send({ channel, to, purpose, code }) {
      log.info({ delivery: 'console', channel, to, purpose, code }, `OTP for ${to}: ${code}`)
    },
  }
}

/** Development and end-to-end tests: one JSON line per message, read back by the test or the developer. */
export function outboxSender(file: string): Sender {
  let ready: Promise<unknown> | undefined
  return {
    async send({ channel, to, purpose, code }) {
      ready ??= mkdir(dirname(file), { recursive: true })
      await ready
      await appendFile(file, `${JSON.stringify({ channel, to, purpose, code, at: new Date().toISOString() })}\n`)
    },
  }
}

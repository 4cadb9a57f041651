import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs'
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
  let stream: WriteStream | undefined
  const open = () => {
    mkdirSync(dirname(file), { recursive: true })
    // One file descriptor in append mode for the process: each line is a single atomic write.
    // A failed stream is dropped (the pending sends get the error) and the next send reopens it.
    return createWriteStream(file, { flags: 'a' }).on('error', () => {
      stream = undefined
    })
  }
  return {
    send({ channel, to, purpose, code }) {
      stream ??= open()
      const line = `${JSON.stringify({ channel, to, purpose, code, at: new Date().toISOString() })}\n`
      return new Promise((resolve, reject) => {
        stream?.write(line, (error) => (error ? reject(error) : resolve()))
      })
    },
    async close() {
      await new Promise((resolve) => (stream ? stream.end(resolve) : resolve(undefined)))
    },
  }
}

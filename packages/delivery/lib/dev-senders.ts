import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs'
import { dirname } from 'node:path'
import type { Sender } from './sender.ts'

export type DeliveryLog = { info(fields: object, message: string): void }

/** Local development only: the message goes to the log, the one place a code may ever be logged. */
export function consoleSender(log: DeliveryLog): Sender {
  return {
    async send({ channel, to, text, record }) {
      log.info({ delivery: 'console', channel, to, ...record }, `${channel} to ${to}: ${text}`)
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
    send({ channel, to, record }) {
      stream ??= open()
      const line = `${JSON.stringify({ channel, to, ...record, at: new Date().toISOString() })}\n`
      return new Promise((resolve, reject) => {
        stream?.write(line, (error) => (error ? reject(error) : resolve()))
      })
    },
    async close() {
      await new Promise((resolve) => (stream ? stream.end(resolve) : resolve(undefined)))
    },
  }
}

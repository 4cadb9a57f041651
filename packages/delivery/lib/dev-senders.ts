import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs'
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

/**
 * Development and end-to-end tests: one JSON line per message, read back by the test or the
 * developer. Each line is one write to a descriptor in append mode, whole or failed (lines of
 * processes sharing the file never interleave), made at once: a line to the page cache takes
 * microseconds, less than a hop to libuv's thread pool and back. A send that cannot write fails;
 * the next one tries again.
 */
export function outboxSender(file: string): Sender {
  let fd: number | undefined
  return {
    async send({ channel, to, record }) {
      const line = Buffer.from(`${JSON.stringify({ channel, to, ...record, at: new Date().toISOString() })}\n`)
      if (fd === undefined) {
        mkdirSync(dirname(file), { recursive: true })
        fd = openSync(file, 'a')
      }
      try {
        if (writeSync(fd, line) !== line.length) throw new Error(`the outbox ${file} took part of a line`)
      } catch (error) {
        // The send fails; the next one opens the file again.
        closeSync(fd)
        fd = undefined
        throw error
      }
    },
    async close() {
      if (fd !== undefined) closeSync(fd)
      fd = undefined
    },
  }
}

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
 * developer. Each line is one write to a descriptor in append mode (so on a local file system the
 * lines of processes sharing the file never interleave), made at once: a line to the page cache
 * takes microseconds, less than a hop to libuv's thread pool and back. A send that cannot write
 * fails, and the next one opens the file again; after `close`, sends fail.
 */
export function outboxSender(file: string): Sender {
  let fd: number | undefined
  let closed = false
  // Forgets the descriptor before closing it, so a number the system may hand out again is never
  // written to; a close that fails leaves nothing to do for a development outbox.
  const release = () => {
    const open = fd
    fd = undefined
    if (open === undefined) return
    try {
      closeSync(open)
    } catch {}
  }
  return {
    async send({ channel, to, record }) {
      if (closed) throw new Error(`the outbox ${file} is closed`)
      const line = `${JSON.stringify({ channel, to, ...record, at: new Date().toISOString() })}\n`
      if (fd === undefined) {
        mkdirSync(dirname(file), { recursive: true })
        fd = openSync(file, 'a')
      }
      try {
        writeSync(fd, line)
      } catch (error) {
        release()
        throw error
      }
    },
    async close() {
      closed = true
      release()
    },
  }
}

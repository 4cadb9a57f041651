import type { Channel } from '../otp/destination.ts'

export type OtpMessage = { channel: Channel; to: string; purpose: string; code: string; ttlSeconds: number }

/** One way to get a code to a person. A rejected promise means the code did not go out. */
export type Sender = {
  send(message: OtpMessage): Promise<void>
  close?(): Promise<void>
}

/** A stalled provider must not hold the request: past the timeout the send counts as failed. */
export function withTimeout(sender: Sender, timeoutMs: number, name: string): Sender {
  return {
    ...sender,
    send(message) {
      let timer: NodeJS.Timeout | undefined
      const timeout = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`${name} did not answer within ${timeoutMs} ms`)), timeoutMs)
      })
      return Promise.race([sender.send(message), timeout]).finally(() => clearTimeout(timer))
    },
  }
}

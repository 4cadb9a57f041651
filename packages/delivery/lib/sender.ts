export type Message = {
  channel: 'sms' | 'email'
  /** A normalized destination: one E.164 number or one bare email address. */
  to: string
  /** Email subject; SMS have none. */
  subject: string
  text: string
  /** The message's facts (`purpose`, `code`, `link`) as the outbox records them and the console logs them. */
  record: Record<string, string>
}

/** One way to get a message to a person. A rejected promise means it did not go out. */
export type Sender<M extends Message = Message> = {
  send(message: M): Promise<void>
  close?(): Promise<void>
}

/**
 * A delivery whose outcome is unknown: the provider did not answer in time, or answered neither yes
 * nor no (an error page from its edge, a broken body, a connection lost after the request left).
 * Unlike a refusal, the message may still arrive: the caller should treat it as possibly sent.
 */
export class DeliveryUnconfirmedError extends Error {
  override name = 'DeliveryUnconfirmedError'
}

/** A stalled provider must not hold the request: past the timeout the send rejects with DeliveryUnconfirmedError. */
export function withTimeout<M extends Message>(sender: Sender<M>, timeoutMs: number, name: string): Sender<M> {
  return {
    ...sender,
    send(message) {
      let timer: NodeJS.Timeout | undefined
      const timeout = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new DeliveryUnconfirmedError(`${name} did not answer within ${timeoutMs} ms`)), timeoutMs)
      })
      return Promise.race([sender.send(message), timeout]).finally(() => clearTimeout(timer))
    },
  }
}

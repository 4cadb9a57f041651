// Helpers of the tests of a service in several processes: reading their logs, telling whether a process lives, stalling one.
import { get } from 'node:http'
import { type RunningService, startService, until } from '@otp-suite/testing'
import type { Test } from 'tap'
import { testEnv } from './helpers.ts'

/** The lines logged with `message` (and `extra`), in the order they were, parsed. */
export const linesLogging = (output: string, message: string, extra = '') =>
  output
    .split('\n')
    .filter((line) => line.includes(`"msg":"${message}`) && line.includes(extra))
    .map((line) => JSON.parse(line) as { pid: number; time: number } & Record<string, unknown>)

/** The pids of the processes that logged a line with `message` (and `extra`), in the order they did. */
export const pidsLogging = (output: string, message: string, extra = '') => linesLogging(output, message, extra).map((line) => line.pid)

/** One request on a connection of its own, so the kernel hands it to whichever process takes it first. */
export const onNewConnection = (url: string) =>
  new Promise<number>((resolve, reject) => {
    get(`${url}/health/live`, { agent: false }, (response) => {
      response.resume().on('end', () => resolve(response.statusCode as number))
    }).on('error', reject)
  })

export const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** The gateway in two processes (`env` added), once both listen; their pids. */
export async function inTwoProcesses(t: Test, env: Record<string, string> = {}): Promise<[RunningService, number, number]> {
  const service = await startService(t, 'gateway', { ...testEnv(), LOG_LEVEL: 'info', PROCESSES: '2', ...env } as Record<string, string>)
  t.ok(await until(() => pidsLogging(service.output(), 'Server listening').length === 2, 20_000), 'two processes listen')
  const [first, second] = pidsLogging(service.output(), 'Server listening') as [number, number]
  return [service, first, second]
}

/** A process of the service that no signal but SIGKILL ends (stopped, as a hung one would be). */
export function stall(t: Test, pid: number) {
  process.kill(pid, 'SIGSTOP')
  t.teardown(() => {
    if (alive(pid)) process.kill(pid, 'SIGKILL')
  })
}

import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { connect } from 'node:net'
import { join } from 'node:path'
import { childrenOf, processStat } from '@otp-suite/testing'

const buildApp = new URL('../../../scripts/build-app.mjs', import.meta.url).pathname

/**
 * Compiles `script` of the app in `appDir` as production runs it (plain Node, no TypeScript
 * loader) into the app's bench/dist/, where Node finds the packages it imports but outside the
 * dist/ the app ships. Returns the bundle's path.
 */
export function buildTarget(appDir: string, script: string): string {
  const output = join(appDir, 'bench', 'dist', `${script.replaceAll('/', '-')}.js`)
  execFileSync(process.execPath, [buildApp, script, output], { cwd: appDir, stdio: 'inherit' })
  return output
}

/** The heap and thread-pool flags of the services' start scripts, plus BENCH_NODE_FLAGS. */
export const nodeFlags = [
  '--max-semi-space-size=4',
  '--max-old-space-size=128',
  '--v8-pool-size=0',
  ...(process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? []),
]

const exitWithParent = import.meta.resolve('@otp-suite/testing/exit-with-parent')

/**
 * Starts a compiled target on `port` and waits until it accepts connections. It exits by itself
 * when the bench does, however the bench ends (a bench killed midway leaves no server on its port).
 */
export async function startTarget(bundle: string, options: { cwd: string; port: number; env: NodeJS.ProcessEnv }) {
  // Another program on the port would be measured in place of this one.
  if (await accepts(options.port)) throw new Error(`port ${options.port} is already in use`)
  const child = spawn(process.execPath, [...nodeFlags, '--import', exitWithParent, bundle], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env, PORT: String(options.port) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  await waitForPort(options.port, child)
  return {
    pid: child.pid as number,
    async stop() {
      child.kill('SIGTERM')
      if (child.exitCode === null) await new Promise((resolve) => child.once('exit', resolve))
    },
  }
}

/** Whether something accepts connections on `port` of this host. */
export const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket.end() && true)).on('error', () => resolve(false))
  })

async function waitForPort(port: number, child: ChildProcess) {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`target exited with ${child.exitCode}`)
    if (await accepts(port)) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error('target did not start')
}

const ticksPerSecond = 100
/** CPU seconds used so far by a process (utime + stime from /proc), and with `reaped` by its exited children too. */
export const cpuSeconds = (pid: number, reaped = false) => {
  const { cpuTicks, reapedCpuTicks } = processStat(pid)
  return (reaped ? cpuTicks + reapedCpuTicks : cpuTicks) / ticksPerSecond
}

/**
 * CPU seconds used so far by every PostgreSQL process on the machine, counting the backends that
 * exited meanwhile (the postmaster reaps them, and their time stays in its children's fields).
 */
export const postgresCpuSeconds = () =>
  readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .reduce((sum, pid) => {
      try {
        return readFileSync(`/proc/${pid}/comm`, 'utf8').startsWith('postgres') ? sum + cpuSeconds(Number(pid), true) : sum
      } catch {
        return sum
      }
    }, 0)

/** The process and those it started and that still run (a service in several processes). */
const withChildren = (pid: number) => {
  let children: number[] = []
  try {
    children = childrenOf(pid)
  } catch {}
  return [pid, ...children]
}

/** The most memory the process, or the largest of the processes it started, has held (VmHWM). */
export const peakRssMb = (pid: number) =>
  Math.max(
    ...withChildren(pid).map((each) => {
      try {
        const line = readFileSync(`/proc/${each}/status`, 'utf8').match(/VmHWM:\s+(\d+) kB/)
        return line ? Number(line[1]) / 1024 : Number.NaN
      } catch {
        return 0 // a child that ended meanwhile
      }
    }),
  )

/** CPU seconds used so far by the process and those it started (still running, or ended and reaped). */
const treeCpuSeconds = (pid: number) =>
  withChildren(pid).reduce((sum, each) => {
    try {
      return sum + cpuSeconds(each, each === pid)
    } catch {
      return sum // a child that ended meanwhile: its time is in its parent's reaped figures
    }
  }, 0)

/**
 * Waits until the processes and PostgreSQL have gone quiet (one clock tick of CPU, 10 ms, at most
 * over 200 ms), for at most `limitMs`: a load's requests still in flight when it stopped are then
 * done, and not paid for by whatever runs next.
 */
export async function untilQuiet(pids: number[], limitMs = 3000) {
  const ticks = () => Math.round((pids.reduce((sum, pid) => sum + treeCpuSeconds(pid), 0) + postgresCpuSeconds()) * ticksPerSecond)
  const started = performance.now()
  for (let before = ticks(); performance.now() - started < limitMs; ) {
    await new Promise((resolve) => setTimeout(resolve, 200))
    const now = ticks()
    if (now - before <= 1) return
    before = now
  }
}

export const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number

/** CPU share of the server (with the processes it started), of PostgreSQL and of this (load-generating) process over a measured window. */
export function cpuWindow(pid: number) {
  const before = { server: treeCpuSeconds(pid), postgres: postgresCpuSeconds(), client: process.cpuUsage() }
  const startedAt = performance.now()
  return () => {
    const elapsed = (performance.now() - startedAt) / 1000
    const client = process.cpuUsage(before.client)
    return {
      'server CPU %': Math.round(((treeCpuSeconds(pid) - before.server) / elapsed) * 100),
      'PostgreSQL CPU %': Math.round(((postgresCpuSeconds() - before.postgres) / elapsed) * 100),
      'load generator CPU %': Math.round(((client.user + client.system) / 1e6 / elapsed) * 100),
    }
  }
}

// What the fault scripts read of the services' processes from /proc: which of the script's children
// listens on a port, its sockets and its memory.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs'

/** Socket inodes of a process (its fd table). */
export function socketInodes(pid: number) {
  const inodes = new Set<string>()
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1]
      if (inode) inodes.add(inode)
    } catch {}
  }
  return inodes
}

export type TcpSocket = { inode: string; localPort: number; remotePort: number; state: string }
const TCP_STATES: Record<string, string> = {
  '01': 'ESTABLISHED',
  '02': 'SYN_SENT',
  '04': 'FIN_WAIT1',
  '05': 'FIN_WAIT2',
  '06': 'TIME_WAIT',
  '07': 'CLOSE',
  '08': 'CLOSE_WAIT',
  '09': 'LAST_ACK',
  '0A': 'LISTEN',
  '0B': 'CLOSING',
}
/** Every TCP socket of the machine (IPv4 and IPv6). */
export function tcpSockets(): TcpSocket[] {
  const sockets: TcpSocket[] = []
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(file, 'utf8').trim().split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/)
      const port = (address = '') => Number.parseInt(address.split(':').at(-1) ?? '', 16)
      const state = TCP_STATES[fields[3] ?? ''] ?? String(fields[3])
      sockets.push({ inode: fields[9] ?? '', localPort: port(fields[1]), remotePort: port(fields[2]), state })
    }
  }
  return sockets
}

/** The process, among this script's children, that listens on `port`. */
export function pidListeningOn(port: number): number {
  const inode = tcpSockets().find((socket) => socket.state === 'LISTEN' && socket.localPort === port)?.inode
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      if (parent === process.pid && inode && socketInodes(Number(entry)).has(inode)) return Number(entry)
    } catch {}
  }
  throw new Error(`no child process listens on port ${port}`)
}

/** A process's resident memory, in MB. */
export const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024

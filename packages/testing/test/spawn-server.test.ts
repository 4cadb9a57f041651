import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import t from 'tap'
import { until } from '../index.ts'

/** Whether `pid` is a process still running (a zombie waiting to be reaped has already exited). */
function running(pid: number) {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z'
  } catch {
    return false
  }
}

t.test('a server a test started exits when the test process is killed outright', async (t) => {
  const parent = spawn(process.execPath, ['--import', 'tsx', new URL('./fixture/parent.ts', import.meta.url).pathname], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  t.teardown(() => parent.kill('SIGKILL'))
  const [line] = (await once(parent.stdout, 'data')) as [Buffer]
  const serverPid = Number(line.toString().trim())
  t.ok(serverPid > 0 && running(serverPid), 'the server runs while the test process does')
  t.teardown(() => {
    if (running(serverPid)) process.kill(serverPid, 'SIGKILL')
  })

  parent.kill('SIGKILL')
  await once(parent, 'exit')
  t.ok(await until(() => !running(serverPid), 5000), 'and is gone soon after it')
})

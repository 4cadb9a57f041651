import { spawn, spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { scratchDir } from '@otp-suite/testing'
import { accepts } from './process.ts'

/**
 * nginx as a reverse proxy on `port` in front of `upstream`, as people configure one: keep-alive to
 * the upstream, the client's address added to X-Forwarded-For, one process (as the gateway is one,
 * so its CPU and memory are read the same way). Its connections stay open however many requests
 * they carry, as the gateway's and the services' do (nginx closes them after 1,000 by default, and
 * a request sent as one closes can fail). Undefined when nginx is not installed.
 */
export async function startNginx(port: number, upstream: string) {
  if (spawnSync('nginx', ['-v']).status !== 0) return undefined
  // An nginx left by a bench that was killed would answer in this one's place.
  if (await accepts(port)) throw new Error(`port ${port} is already in use`)
  const prefix = scratchDir('nginx-bench-')
  writeFileSync(
    join(prefix, 'nginx.conf'),
    `master_process off; worker_processes 1; pid ${prefix}/nginx.pid; error_log ${prefix}/error.log;
events { worker_connections 1024; }
http { access_log off; client_body_temp_path ${prefix}; keepalive_requests 1000000;
  upstream service { server ${new URL(upstream).host}; keepalive 64; keepalive_requests 1000000; }
  server { listen 127.0.0.1:${port};
    location /api/ { proxy_pass http://service; proxy_http_version 1.1; proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for; } } }`,
  )
  const nginx = spawn('nginx', ['-p', prefix, '-c', join(prefix, 'nginx.conf'), '-g', 'daemon off;'], { stdio: 'inherit' })
  const url = `http://127.0.0.1:${port}`
  for (let tries = 0; ; tries++) {
    const listening = await fetch(url).then(
      () => true,
      () => false,
    )
    if (listening) break
    if (tries > 50 || nginx.exitCode !== null) {
      nginx.kill('SIGKILL')
      throw new Error('nginx did not start')
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return {
    url,
    pid: nginx.pid as number,
    stop: async () => {
      if (nginx.exitCode !== null) return
      nginx.kill('SIGQUIT')
      await new Promise((resolve) => nginx.once('exit', resolve))
    },
  }
}

import { execFile, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { dropDatabase } from '@otp-suite/db/tooling'
import { listening } from '@otp-suite/testing'
import { DockerfileParser } from 'dockerfile-ast'
import t from 'tap'

// No container engine runs here: the Dockerfile is read and checked, and what it builds is made
// by the same script it runs, copied to fresh folders, and started as the image starts it.
const run = promisify(execFile)
const root = join(import.meta.dirname, '..', '..')
const exitWithParent = import.meta.resolve('@otp-suite/testing/exit-with-parent')
const APPS = ['otp-service', 'user-service', 'admin-service', 'gateway']
const WITH_DATABASE = APPS.filter((app) => app !== 'gateway')
const dockerfile = DockerfileParser.parse(await readFile(join(root, 'Dockerfile'), 'utf8'))

/** The command the image starts an app with (its CMD, in exec form). */
function appCommand(): string[] {
  const froms = dockerfile.getFROMs()
  const appStart = froms.find((from) => from.getBuildStage() === 'app')?.getRange().start.line ?? 0
  const command = dockerfile.getCMDs().find((cmd) => cmd.getRange().start.line > appStart)
  return JSON.parse(command?.getTextContent().replace(/^CMD\s+/, '') ?? '[]')
}

/** The environment a stage of the image sets (its ENV lines). */
function stageEnvironment(stage: string): Record<string, string> {
  const froms = dockerfile.getFROMs()
  const index = froms.findIndex((from) => from.getBuildStage() === stage)
  const [start, end] = [froms[index]?.getRange().start.line ?? 0, froms[index + 1]?.getRange().start.line ?? Number.POSITIVE_INFINITY]
  return Object.fromEntries(
    dockerfile
      .getENVs()
      .filter((env) => env.getRange().start.line > start && env.getRange().start.line < end)
      .flatMap((env) => env.getProperties().map((property) => [property.getName(), property.getValue() ?? '']) as [string, string][]),
  )
}

t.test('the Dockerfile: named stages, a slim non-root runtime, a health check, migrations apart, no secrets', async (t) => {
  const stages = dockerfile.getFROMs().map((from) => ({ image: from.getImageName(), name: from.getBuildStage() }))
  t.same(
    stages.map((stage) => stage.name),
    ['build', 'migrate', 'app'],
    'the app is the last stage, so a plain build makes it',
  )
  const base = dockerfile
    .getARGs()
    .find((arg) => arg.getProperty()?.getName() === 'NODE_IMAGE')
    ?.getProperty()
    ?.getValue()
  t.match(base, /^node:\d+[\d.]*-bookworm-slim$/, 'a slim Node base')

  const instructions = dockerfile.getInstructions()
  const stageOf = (line: number) => stages[dockerfile.getFROMs().filter((from) => from.getRange().start.line <= line).length - 1]?.name
  const inStage = (name: string, keyword: string) =>
    instructions.filter((instruction) => instruction.getKeyword() === keyword && stageOf(instruction.getRange().start.line) === name)
  const text = (instruction: { getRawArgs?: () => string; getTextContent: () => string }) => instruction.getTextContent()

  const line = (keyword: string, content: string) =>
    instructions.find((instruction) => instruction.getKeyword() === keyword && text(instruction).includes(content))?.getRange().start
      .line ?? -1
  t.ok(
    line('RUN', 'pnpm fetch') > 0 && line('RUN', 'pnpm fetch') < line('COPY', 'COPY . .'),
    'packages fetched by the lockfile before the sources come',
  )
  t.ok(
    inStage('build', 'RUN').some((instruction) => /sh scripts\/package-app\.sh "\$\{APP\}" \/out/.test(text(instruction))),
    'the build runs the packaging script the tests run',
  )
  for (const stage of ['app', 'migrate']) {
    t.same(inStage(stage, 'USER').map(text), ['USER node'], `${stage} runs as a user without privileges`)
    t.same(
      inStage(stage, 'COPY').map((copy) => text(copy).split(/\s+/)[1]),
      ['--from=build'],
      `${stage} takes only the build's output`,
    )
  }
  const [healthcheck] = inStage('app', 'HEALTHCHECK')
  t.match(healthcheck && text(healthcheck), /\/health\/live/)
  const [command] = inStage('app', 'CMD')
  t.match(command && text(command), /"dist\/server\.js"\]$/)
  t.notMatch(command && text(command), /migrate/, 'starting the app applies no migration')
  t.match(inStage('migrate', 'CMD').map(text), [/"bin\/suite-db\.js", "migrate"/])
  t.notOk(
    instructions.some(
      (instruction) => ['ENV', 'ARG'].includes(instruction.getKeyword()) && /SECRET|PEPPER|KEY|PASSWORD/i.test(text(instruction)),
    ),
    'no secret is baked in',
  )

  const ignored = (await readFile(join(root, '.dockerignore'), 'utf8')).split('\n')
  for (const pattern of ['**/node_modules', '**/.env', '**/.data', '.git'])
    t.ok(ignored.includes(pattern), `${pattern} stays out of the build`)
})

t.test('every app, packaged as the image packages it and moved to a fresh folder, migrates, starts and serves', async (t) => {
  const out = await mkdtemp(join(tmpdir(), 'image-'))
  t.teardown(() => rm(out, { recursive: true, force: true }))
  // As on a read-only file system: the temporary and home folders are paths no one, not even root,
  // can create anything under (a file stands where their parent folder would be).
  const readOnly = join(out, 'not-a-folder', 'tmp')
  await writeFile(join(out, 'not-a-folder'), '')
  const secret = () => randomBytes(32).toString('base64url')
  const production = {
    PATH: process.env.PATH,
    TMPDIR: readOnly,
    HOME: readOnly,
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: '0',
    JWT_SECRET: secret(),
    OTP_PEPPER: secret(),
    TRUSTED_PROXIES: '127.0.0.1',
    SMS_PROVIDER: 'console',
    EMAIL_PROVIDER: 'console',
    OTP_ALLOW_DEV_DELIVERY: 'true',
    LOG_LEVEL: 'info',
  }
  const urls: Record<string, string> = {}
  const start = async (app: string, env: Record<string, string | undefined>) => {
    // Where the image has it: a folder of its own, nothing of the repository around it.
    const folder = join(out, 'run', app)
    await cp(join(out, app, 'app'), folder, { recursive: true, verbatimSymlinks: true })
    await rm(join(out, app, 'app'), { recursive: true })
    const files = await readdir(join(folder, 'dist'))
    for (const file of files)
      t.notOk((await readFile(join(folder, 'dist', file), 'utf8')).includes(root), `${app}: dist/${file} names no build path`)
    const installed = await readdir(join(folder, 'node_modules', '.pnpm'))
    t.notOk(
      installed.some((name) => /^(prisma|tsx|esbuild|typescript|@electric-sql|@otp-suite\+(?!admin-dashboard@))[@+]/.test(name)),
      `${app}: no tooling, no TypeScript, no workspace package (they are compiled in)`,
    )
    // The one workspace package a deployment carries: the gateway serves the dashboard's built files.
    const dashboard = join(folder, 'node_modules', '@otp-suite', 'admin-dashboard')
    if (app === 'gateway') t.same((await readdir(dashboard)).sort(), ['dist', 'package.json'], 'gateway: the dashboard as built files only')
    const [program, ...args] = appCommand()
    t.equal(program, 'node')
    // The image's command, and a preload that ends the server if this test process goes first.
    const server = spawn(process.execPath, ['--import', exitWithParent, ...args], {
      cwd: folder,
      env,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    })
    t.teardown(() => {
      const exited = new Promise((resolve) => server.once('exit', resolve))
      server.kill('SIGTERM')
      return exited
    })
    const { ready, output } = listening(server, app)
    const url = await ready
    // The pretty printer is the one package the bundle loads only on demand: it must resolve too.
    if (env.LOG_FORMAT === 'pretty') t.match(output(), /^\[[\d:.]+\] INFO: Server listening/m, `${app} logs readable lines when asked to`)
    return url
  }

  for (const app of APPS) await run('sh', ['scripts/package-app.sh', app, join(out, app)], { cwd: root })
  t.same(await readdir(join(out, 'gateway')), ['app'], 'the gateway has no database, so nothing to migrate')
  t.same(await readdir(join(out, 'otp-service')), ['app', 'migrate'])

  for (const app of WITH_DATABASE) {
    const databaseUrl = `postgres://postgres@127.0.0.1:5432/image_${app.replace('-', '_')}_${process.pid}`
    t.teardown(() => dropDatabase(databaseUrl))
    const migrate = join(out, 'run', `${app}-migrate`)
    await cp(join(out, app, 'migrate'), migrate, { recursive: true, verbatimSymlinks: true })
    await rm(join(out, app, 'migrate'), { recursive: true })
    const { stdout } = await run(process.execPath, ['bin/suite-db.js', 'migrate'], {
      cwd: migrate,
      env: { ...production, ...stageEnvironment('migrate'), DATABASE_URL: databaseUrl },
    })
    t.match(stdout, /Applied migrations: /, `${app}: migrated by its migrate image`)
    urls[app] = await start(app, {
      ...production,
      LOG_FORMAT: app === 'otp-service' ? 'pretty' : 'json',
      DATABASE_URL: databaseUrl,
      OTP_SERVICE_URL: urls['otp-service'],
      USER_SERVICE_URL: urls['user-service'],
    })
    const ready = await fetch(`${urls[app]}/health/ready`)
    t.equal(ready.status, 200, `${app} is ready on its migrated database`)
  }

  const gateway = await start('gateway', {
    ...production,
    OTP_SERVICE_URLS: urls['otp-service'],
    USER_SERVICE_URLS: urls['user-service'],
    ADMIN_SERVICE_URLS: urls['admin-service'],
  })
  t.equal((await fetch(`${gateway}/health/ready`)).status, 200, 'the gateway sees every service')
  const sent = await fetch(`${gateway}/api/v1/otp/send`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ channel: 'sms', to: '+14155550123', purpose: 'login' }),
  })
  t.equal(sent.status, 202, 'a code is sent through the gateway')
  const document = await fetch(`${gateway}/docs/json`)
  t.equal(document.status, 200, 'the public document is made from the packaged services')
  const dashboard = await fetch(`${gateway}/admin/`)
  t.equal(dashboard.status, 200, 'the gateway serves the admin dashboard it was packaged with')
  t.match(await dashboard.text(), /<script type="module" crossorigin src="\/admin\/assets\/index-[\w-]+\.js">/)
})

// `pnpm client:generate`: starts the suite from sources, takes the gateway's public API document,
// and writes it with its TypeScript types into packages/client/src/generated. The contract test
// fails when either differs from what the services would serve now.
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { dropDatabase } from '@otp-suite/db/tooling'
import { clientTypes, DOCUMENT_SERVER } from './lib/public-api.mjs'
import { root, startSuite } from './lib/suite.mjs'

const generated = join(root, 'packages/client/src/generated')

const dataDir = await mkdtemp(join(tmpdir(), 'client-generate-'))
const suite = await startSuite({
  fromSources: true,
  dataDir,
  databasePrefix: `client_generate_${process.pid}_`,
  portOffset: 20_000 + (process.pid % 100) * 10,
  env: { ...process.env, PUBLIC_URL: DOCUMENT_SERVER, LOG_LEVEL: 'warn' },
  log: () => {},
})
try {
  const response = await fetch(`${suite.gatewayUrl}/docs/json`)
  if (!response.ok) throw new Error(`the gateway answered ${response.status} for /docs/json`)
  const document = await response.json()
  await writeFile(join(generated, 'openapi.json'), `${JSON.stringify(document, null, 2)}\n`)
  await writeFile(join(generated, 'api.ts'), await clientTypes(document))
  console.log(`Wrote ${Object.keys(document.paths).length} paths to ${generated}`)
} finally {
  await suite.stop()
  if (!suite.embedded) await Promise.all(Object.values(suite.databaseUrls).map((url) => dropDatabase(url)))
  await rm(dataDir, { recursive: true, force: true })
}

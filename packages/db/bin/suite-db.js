#!/usr/bin/env node
// Plain JS so pnpm can link it as a bin; the TypeScript behind it loads through tsx.
import { tsImport } from 'tsx/esm/api'

const { run } = await tsImport('../lib/cli.ts', import.meta.url)
process.exitCode = await run(process.argv.slice(2))

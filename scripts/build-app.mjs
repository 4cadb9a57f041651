// Usage: node build-app.mjs [entry=src/server.ts] [outfile=dist/server.js], from the app's folder.
// Compiles an app's entry and the suite's own TypeScript packages (@otp-suite/*) into one file, so
// production runs plain Node with no TypeScript loader in memory. Third-party imports stay bare and
// Node resolves them from the app's own node_modules at run time, so the output names no path of
// the build machine and moves with the app (pnpm deploy, a container image). That holds only when
// every package the bundle imports is a direct dependency of the app resolving to the very copy
// the importing package gets: the build checks it and fails naming the package otherwise.
import { readFileSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { isAbsolute, relative, resolve } from 'node:path'
import { build } from 'esbuild'

const appDir = process.cwd()
const app = JSON.parse(readFileSync('package.json', 'utf8')).name
const [entry = 'src/server.ts', outfile = 'dist/server.js'] = process.argv.slice(2)

const outside = relative(appDir, resolve(outfile))
if (outside.startsWith('..') || isAbsolute(outside)) {
  console.error(`build-app: ${outfile} is outside ${appDir}; the bundle finds its packages in the app's node_modules`)
  process.exit(1)
}

const packageName = (specifier) =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/')

const keepThirdPartyImportsBare = {
  name: 'keep-third-party-imports-bare',
  setup(esbuild) {
    esbuild.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.pluginData === 'checking' || args.path.startsWith('@otp-suite/')) return
      if (args.path.startsWith('node:') || builtinModules.includes(args.path)) return { path: args.path, external: true }
      const from = (resolveDir) => esbuild.resolve(args.path, { kind: args.kind, resolveDir, pluginData: 'checking' })
      const [fromImporter, fromApp] = await Promise.all([from(args.resolveDir), from(appDir)])
      if (fromImporter.errors.length > 0) return { errors: fromImporter.errors }
      if (fromApp.errors.length > 0 || fromApp.path !== fromImporter.path) {
        const name = packageName(args.path)
        const text = `${name} (imported by ${relative(appDir, args.importer)}) must be a direct dependency of ${app}, in the range its importer uses`
        return { errors: [{ text }] }
      }
      return { path: args.path, external: true }
    })
  },
}

await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: true,
  plugins: [keepThirdPartyImportsBare],
  logLevel: 'warning',
}).catch(() => process.exit(1))

// Usage: node build-app.mjs [entry=src/server.ts] [outfile=dist/server.js], from the app's folder.
// Compiles an app's entry and the suite's TypeScript packages it uses into one
// dist/server.js, so production runs plain Node with no TypeScript loader in memory.
// Third-party packages are not bundled (some read their own files at run time): each import is
// pinned to the file it resolves to from the importing package, as pnpm's layout requires.
import { pathToFileURL } from 'node:url'
import { build } from 'esbuild'

const pinThirdPartyImports = {
  name: 'pin-third-party-imports',
  setup(esbuild) {
    esbuild.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.path.startsWith('@otp-suite/') || args.path.startsWith('node:') || args.pluginData === 'pinned') return
      const resolved = await esbuild.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: 'pinned' })
      if (resolved.errors.length > 0) return { errors: resolved.errors }
      return { path: pathToFileURL(resolved.path).href, external: true }
    })
  },
}

const [entry = 'src/server.ts', outfile = 'dist/server.js'] = process.argv.slice(2)
await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: true,
  plugins: [pinThirdPartyImports],
  logLevel: 'warning',
})

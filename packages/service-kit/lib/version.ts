import { existsSync, readFileSync } from 'node:fs'

/**
 * The version in the nearest package.json above `moduleUrl`: the app's own, whether the module is
 * its `src/app.ts` in development or a bundle in its `dist/`. Read at start rather than bundled, so
 * the bundle carries no copy of the manifest.
 */
export function appVersion(moduleUrl: string): string {
  for (let folder = new URL('.', moduleUrl); ; folder = new URL('..', folder)) {
    const manifest = new URL('package.json', folder)
    if (existsSync(manifest)) {
      const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version?: unknown }
      if (typeof version === 'string') return version
    }
    if (folder.pathname === '/') throw new Error(`no package.json with a version above ${moduleUrl}`)
  }
}

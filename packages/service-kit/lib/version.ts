import { readFileSync } from 'node:fs'

/**
 * The version in the package.json one folder above `moduleUrl`: an app's `src/app.ts` in
 * development and its bundled `dist/server.js` in production both sit one level down. Read at
 * start rather than bundled, so the bundle carries no copy of the manifest.
 */
export function appVersion(moduleUrl: string): string {
  const { version } = JSON.parse(readFileSync(new URL('../package.json', moduleUrl), 'utf8')) as { version?: unknown }
  if (typeof version !== 'string') throw new Error(`no version in the package.json above ${moduleUrl}`)
  return version
}

import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative, sep } from 'node:path'
import fastifyStatic from '@fastify/static'
import type { FastifyInstance } from 'fastify'

/** The page's own files only: no inline script or style, no other origin, never framed. */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ')

/** The built dashboard: `configured`, or the admin-dashboard package's build beside the gateway; undefined when there is none. */
export function dashboardFiles(configured: string) {
  if (configured) return configured
  try {
    const built = join(dirname(createRequire(import.meta.url).resolve('@otp-suite/admin-dashboard/package.json')), 'dist')
    return existsSync(join(built, 'index.html')) ? built : undefined
  } catch {
    return undefined
  }
}

/**
 * Serves the admin dashboard's static files at /admin/ (/admin redirects there). Its file names
 * carry a hash of their content, so they are cached for good; index.html is checked every time.
 */
export async function adminDashboard(app: FastifyInstance, { root }: { root: string }) {
  app.addHook('onRequest', async (_request, reply) => {
    reply.header('content-security-policy', CONTENT_SECURITY_POLICY)
  })
  await app.register(fastifyStatic, {
    root,
    prefix: '/admin/',
    dotfiles: 'deny',
    cacheControl: false,
    setHeaders: (response, path) =>
      response.header(
        'cache-control',
        relative(root, path).startsWith(`assets${sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
      ),
  })
  app.get('/admin', { schema: { hide: true } }, (_request, reply) => reply.redirect('/admin/', 301))
}

import { defineConfig } from 'vite'

// Built to static files under dist/, served by the gateway at /admin/. `vite` (pnpm dev) serves the
// sources instead and passes the API on to the gateway of a running suite (GATEWAY_URL).
export default defineConfig({
  base: '/admin/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: { outDir: 'dist', emptyOutDir: true },
  server: { proxy: { '/api': process.env.GATEWAY_URL ?? 'http://127.0.0.1:8080' } },
})

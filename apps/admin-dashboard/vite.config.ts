import { defineConfig } from 'vite'

// Built to static files under dist/, served by the gateway at /admin/.
export default defineConfig({
  base: '/admin/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
})

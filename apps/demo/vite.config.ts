import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'

// The dashboard page: web/ → dist/web, served by the devnet (src/devnet/server.ts).
export default defineConfig({
  root: fileURLToPath(new URL('./web', import.meta.url)),
  base: './',
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('./dist/web', import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 1024,
  },
})

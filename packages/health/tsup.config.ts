import { defineConfig } from 'tsup'

export default defineConfig({
  entry: { index: 'src/index.ts', 'bin/x-health-check': 'src/bin/x-health-check.ts' },
  format: ['esm'],
  target: 'node20',
  dts: { entry: 'src/index.ts' },
  sourcemap: true,
  clean: true,
})

import { defineConfig } from 'vitest/config'

// One test configuration for every package: bounded parallelism for 2-core machines,
// and a JSON report per package that scripts/test.mjs sums into one summary line.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    reporters: ['default', 'json'],
    outputFile: { json: '.test-report.json' },
    passWithNoTests: true,
  },
})

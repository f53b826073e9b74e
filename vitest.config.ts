import { defineConfig } from 'vitest/config'
import shared from './vitest.shared.ts'

// The repository's own tests (scripts/*.test.mjs: the release dry run, the README code blocks,
// the root bench command). `pnpm test` (scripts/test.mjs) runs them after the packages' suites,
// once every package is built, and counts them in its summary line.
export default defineConfig({
  test: { ...shared.test, include: ['scripts/**/*.test.mjs'], maxConcurrency: 2 },
})

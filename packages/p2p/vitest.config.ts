import { defineConfig, mergeConfig } from 'vitest/config'
import shared from '../../vitest.shared.ts'

// Every test file ends with a check that it left no socket, listener or timer open.
export default mergeConfig(
  shared,
  defineConfig({ test: { setupFiles: ['test/no-leaked-handles.ts'] } }),
)

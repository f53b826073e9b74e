// Test helpers shared by every package's tests: `import { ManualClock } from '@x/discover/testing'`.
export { flush, ManualClock } from './clock.js'
export { MemoryNetwork, type MemoryNetworkOptions } from './memory-network.js'

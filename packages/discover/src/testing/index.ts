// Test helpers shared by every package's tests: `import { ManualClock } from '@x/discover/testing'`.
// Transitional (see src/index.ts).
export { flush, ManualClock } from '@x/core/testing'
export { randomTarget } from '../table/lookup.js'
export { MemoryNetwork, type MemoryNetworkOptions } from './memory-network.js'
export {
  Simulation,
  type SimulationOptions,
  type SimulationStats,
  seededRandom,
} from './sim.js'
export { SimClock } from './sim-clock.js'
export { type SimCryptoBackend, simCrypto } from './sim-crypto.js'
export { type LookupTrace, overlap, tracedLookup, trueClosest } from './sim-lookup.js'

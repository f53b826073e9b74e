// Test helpers for discovery: an in-memory datagram network and the simulator (`@x/discover/testing`).
export { randomTarget } from '../table/lookup.js'
export { startTxtServer, type TxtServer } from './dns-server.js'
export {
  type MakeTreeOptions,
  makeTree,
  memoryTxtResolver,
  type PublishedTree,
} from './dns-tree.js'
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

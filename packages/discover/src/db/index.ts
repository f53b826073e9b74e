export {
  type EndpointState,
  MemoryNodeDB,
  type MemoryNodeDBOptions,
  memoryNodeDBDefaults,
} from './memory.js'
export type { NodeDB, NodeDBEntry } from './types.js'

export { LevelNodeDB, type LevelNodeDBOptions, type LevelNodeDBStats } from './level.js'
export {
  type EndpointState,
  MemoryNodeDB,
  type MemoryNodeDBOptions,
  memoryNodeDBDefaults,
} from './memory.js'
export { type OpenNodeDBOptions, openNodeDB } from './open.js'
export { dbSchema } from './schema.js'
export type { NodeDB, NodeDBEntry } from './types.js'

import { LevelNodeDB, type LevelNodeDBOptions } from './level.js'
import { MemoryNodeDB } from './memory.js'
import type { NodeDB } from './types.js'

export interface OpenNodeDBOptions extends LevelNodeDBOptions {
  /**
   * Directory of the LevelDB store (node-app: `<datadir>/nodes`). Without it the database is
   * in memory and forgotten on stop.
   */
  path?: string
}

/**
 * The node database a node uses: in memory without `path`, LevelDB at `path` otherwise (created
 * if missing, wiped if written by another schema version or for another `selfId`). Pass it to
 * `new Discovery({ db })`; `Discovery.stop()` flushes and closes it. Throws `NodeDBError`
 * `ERR_DB_OPEN` when the store cannot be opened (another process holds it).
 */
export async function openNodeDB(options: OpenNodeDBOptions = {}): Promise<NodeDB> {
  const { path, ...rest } = options
  if (path === undefined) return new MemoryNodeDB({ maxNodes: rest.maxNodes, random: rest.random })
  return LevelNodeDB.open(path, rest)
}

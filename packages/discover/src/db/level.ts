import { mkdir } from 'node:fs/promises'
import { Devp2pError, equalBytes, type Logger, noopLogger, toHex } from '@x/core'
import type { ClassicLevel } from 'classic-level'
import { NodeDBError } from '../errors.js'
import type { Node, NodeId } from '../node.js'
import { type EndpointState, MemoryNodeDB, memoryNodeDBDefaults } from './memory.js'
import {
  dbSchema,
  decodeEndpoint,
  decodeNodeEntry,
  decodeSeq,
  decodeVersion,
  encodeEndpoint,
  encodeNodeEntry,
  encodeSeq,
  encodeVersion,
  endpointKey,
  localSeqKey,
  nodeKey,
} from './schema.js'
import type { NodeDB, NodeDBEntry } from './types.js'

export interface LevelNodeDBOptions {
  /** Most node records kept; the least recently seen is evicted beyond it (default 50 000). */
  maxNodes?: number
  /** Random source for querySeeds (default Math.random). */
  random?: () => number
  logger?: Logger
  /**
   * Our node ID. A store written for another ID is wiped on open, as is one written by another
   * schema version (go-ethereum's version key).
   */
  selfId?: NodeId
  /**
   * fsync every batch (default false). Without it a process crash (kill -9) loses nothing that
   * was handed to LevelDB; a power loss may lose the last writes, never the store's integrity.
   */
  sync?: boolean
}

/** What the persistent DB did at open and since (monitoring and tests). */
export interface LevelNodeDBStats {
  /** Node records and endpoint states loaded at open. */
  loadedNodes: number
  loadedEndpoints: number
  /** Values skipped (and deleted) at open because they did not decode. */
  corrupt: number
  /** True when the store was wiped at open (schema version or node ID changed). */
  wiped: boolean
  /** Batches written, and batches that failed (logged; the in-memory state stays right). */
  batches: number
  writeErrors: number
}

type Op = { type: 'put'; key: string; value: Uint8Array } | { type: 'del'; key: string }

/**
 * The persistent node database on LevelDB (`classic-level`). Everything lives in a `MemoryNodeDB`
 * so reads and writes stay synchronous on the UDP hot path; every change is written behind in
 * coalesced LevelDB batches (atomic, journaled: a crash mid-write leaves a store that opens with
 * all but possibly the last batch). Same bounds and eviction as the in-memory DB. Open with
 * `LevelNodeDB.open` (or `openNodeDB({ path })`); `close()` flushes and releases the store.
 */
export class LevelNodeDB implements NodeDB {
  readonly path: string
  readonly #mem: MemoryNodeDB
  readonly #level: ClassicLevel<string, Uint8Array>
  readonly #log: Logger
  readonly #sync: boolean
  /** Pending writes by key (undefined = delete); the latest change of a key wins. */
  readonly #pending = new Map<string, Uint8Array | undefined>()
  readonly #seqs = new Map<string, bigint>()
  #writing: Promise<void> | undefined
  #closing: Promise<void> | undefined
  readonly stats: LevelNodeDBStats

  private constructor(
    path: string,
    level: ClassicLevel<string, Uint8Array>,
    mem: MemoryNodeDB,
    log: Logger,
    sync: boolean,
    stats: LevelNodeDBStats,
  ) {
    this.path = path
    this.#level = level
    this.#mem = mem
    this.#log = log
    this.#sync = sync
    this.stats = stats
    mem.onNodeChange = (idHex, e) => this.#queue(nodeKey(idHex), e && encodeNodeEntry(e))
    mem.onEndpointChange = (k, st) => this.#queue(endpointKey(k), st && encodeEndpoint(st))
  }

  /**
   * Opens (creating it and its parent directories if missing) the store at `path` and loads it. A store of another schema
   * version or node ID is wiped; values that do not decode are logged, counted and deleted.
   * Throws `NodeDBError` `ERR_DB_OPEN` when the store cannot be opened (e.g. another process
   * holds its lock).
   */
  static async open(path: string, options: LevelNodeDBOptions = {}): Promise<LevelNodeDB> {
    const log = options.logger ?? noopLogger
    let level: ClassicLevel<string, Uint8Array>
    try {
      // Loaded on first use: importing @x/discover never loads the native addon by itself.
      const { ClassicLevel } = await import('classic-level')
      level = new ClassicLevel<string, Uint8Array>(path, {
        keyEncoding: 'utf8',
        valueEncoding: 'view',
      })
      // LevelDB creates the store's directory but not its parents (a fresh --datadir).
      await mkdir(path, { recursive: true })
      await level.open()
    } catch (cause) {
      throw new NodeDBError('ERR_DB_OPEN', `cannot open node DB at ${path}`, { cause })
    }
    try {
      const stats: LevelNodeDBStats = {
        loadedNodes: 0,
        loadedEndpoints: 0,
        corrupt: 0,
        wiped: await checkVersion(level, options.selfId, log),
        batches: 0,
        writeErrors: 0,
      }
      const mem = new MemoryNodeDB({ maxNodes: options.maxNodes, random: options.random })
      const db = new LevelNodeDB(path, level, mem, log, options.sync ?? false, stats)
      await db.#load(options.maxNodes ?? memoryNodeDBDefaults.maxNodes)
      log.debug('node DB opened', { path, nodes: stats.loadedNodes, corrupt: stats.corrupt })
      return db
    } catch (e) {
      await level.close()
      if (e instanceof Devp2pError) throw e
      throw new NodeDBError('ERR_DB_OPEN', `cannot read node DB at ${path}`, { cause: e })
    }
  }

  /**
   * Loads everything that decodes, whatever its age: expiry is the table's hourly sweep
   * (go-ethereum's `dbCleanupCycle`), never the open, so a node that was off for days still has
   * the seeds it may use (up to `seedMaxAge`, 5 days, by last Pong). Only the bounds apply here.
   */
  async #load(maxNodes: number): Promise<void> {
    const nodes: [string, NodeDBEntry][] = []
    const endpoints: [string, EndpointState][] = []
    const drop: string[] = []
    for await (const [key, value] of this.#level.iterator()) {
      try {
        if (key.startsWith(dbSchema.nodePrefix)) {
          const e = decodeNodeEntry(key, value)
          nodes.push([e.node.idHex, e])
        } else if (key.startsWith(dbSchema.endpointPrefix)) {
          endpoints.push(decodeEndpoint(key, value))
        } else if (key.startsWith(dbSchema.localPrefix)) {
          this.#seqs.set(key, decodeSeq(key, value))
        }
      } catch (e) {
        if (!(e instanceof NodeDBError)) throw e
        this.stats.corrupt++
        this.#log.warn('skipping corrupt node DB value', { key, err: e.message })
        drop.push(key)
      }
    }
    // Least recently seen first, as MemoryNodeDB's eviction order expects; over the bound, the
    // oldest are dropped. Endpoint state is bounded like MemoryNodeDB's: 2 × maxNodes node IDs.
    nodes.sort((a, b) => a[1].lastSeen - b[1].lastSeen)
    for (const [idHex] of nodes.splice(0, Math.max(0, nodes.length - maxNodes))) {
      drop.push(nodeKey(idHex))
    }
    endpoints.sort((a, b) => recent(a[1]) - recent(b[1]))
    const ids = new Set<string>()
    for (let i = endpoints.length - 1; i >= 0; i--) ids.add(endpoints[i]![0].split('|')[0]!)
    const keepIds = new Set([...ids].slice(0, maxNodes * 2))
    const kept = endpoints.filter(([k]) => {
      if (keepIds.has(k.split('|')[0]!)) return true
      drop.push(endpointKey(k))
      return false
    })
    this.#mem.load(nodes, kept)
    this.stats.loadedNodes = nodes.length
    this.stats.loadedEndpoints = kept.length
    for (const key of drop) this.#queue(key, undefined)
  }

  get size(): number {
    return this.#mem.size
  }

  lastPingReceived(id: NodeId, ip: string): number {
    return this.#mem.lastPingReceived(id, ip)
  }

  updateLastPingReceived(id: NodeId, ip: string, time: number): void {
    this.#mem.updateLastPingReceived(id, ip, time)
  }

  lastPongReceived(id: NodeId, ip: string): number {
    return this.#mem.lastPongReceived(id, ip)
  }

  updateLastPongReceived(id: NodeId, ip: string, time: number): void {
    this.#mem.updateLastPongReceived(id, ip, time)
  }

  findFails(id: NodeId, ip: string): number {
    return this.#mem.findFails(id, ip)
  }

  updateFindFails(id: NodeId, ip: string, fails: number): void {
    this.#mem.updateFindFails(id, ip, fails)
  }

  node(id: NodeId): NodeDBEntry | undefined {
    return this.#mem.node(id)
  }

  updateNode(entry: NodeDBEntry): void {
    this.#mem.updateNode(entry)
  }

  deleteNode(id: NodeId): void {
    this.#mem.deleteNode(id)
  }

  querySeeds(n: number, maxAge: number, now: number): Node[] {
    return this.#mem.querySeeds(n, maxAge, now)
  }

  expireNodes(before: number): number {
    return this.#mem.expireNodes(before)
  }

  /** The sequence number of our own record last stored for `id` (go-ethereum's localSeq). */
  localSeq(id: NodeId): bigint | undefined {
    return this.#seqs.get(localSeqKey(toHex(id)))
  }

  storeLocalSeq(id: NodeId, seq: bigint): void {
    const key = localSeqKey(toHex(id))
    this.#seqs.set(key, seq)
    this.#queue(key, encodeSeq(seq))
  }

  get closed(): boolean {
    return this.#closing !== undefined
  }

  /** Resolves once every change made so far is written to LevelDB. */
  async flush(): Promise<void> {
    while (this.#writing) await this.#writing
  }

  /** Writes what is pending and closes the store. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.flush()
      await this.#mem.close()
      await this.#level.close()
    })()
    return this.#closing
  }

  #queue(key: string, value: Uint8Array | undefined): void {
    if (this.#closing && !this.#writing) {
      this.#log.debug('node DB closed: write dropped', { key })
      return
    }
    this.#pending.delete(key)
    this.#pending.set(key, value)
    this.#writing ??= this.#drain()
  }

  /** Writes pending changes in batches until none is left; one drain runs at a time. */
  async #drain(): Promise<void> {
    // Changes made in the same tick coalesce into one batch.
    await new Promise<void>((r) => setImmediate(r))
    while (this.#pending.size > 0) {
      const ops: Op[] = []
      for (const [key, value] of this.#pending) {
        ops.push(value ? { type: 'put', key, value } : { type: 'del', key })
      }
      this.#pending.clear()
      try {
        await this.#level.batch(ops, { sync: this.#sync })
        this.stats.batches++
      } catch (e) {
        this.stats.writeErrors++
        this.#log.warn('node DB write failed', { ops: ops.length, err: (e as Error).message })
      }
    }
    this.#writing = undefined
  }
}

const recent = (st: EndpointState) => Math.max(st.lastPing, st.lastPong)

/**
 * Wipes the store when its version key is missing (on a non-empty store), unreadable, of another
 * schema version, or names another node ID than `selfId`. Returns true if it wiped.
 */
async function checkVersion(
  level: ClassicLevel<string, Uint8Array>,
  selfId: NodeId | undefined,
  log: Logger,
): Promise<boolean> {
  const have = await level.get(dbSchema.versionKey)
  let why: string | undefined
  let storedId: Uint8Array = new Uint8Array(0)
  if (!have) {
    // No version key: a new (empty) store, or one that is not ours.
    for await (const _ of level.keys({ limit: 1 })) why = 'no version key'
  } else {
    try {
      const v = decodeVersion(have)
      storedId = v.selfId
      if (v.version !== dbSchema.schemaVersion) why = `schema version ${v.version}`
      else if (selfId && storedId.length > 0 && !equalBytes(storedId, selfId))
        why = 'node ID changed'
    } catch (e) {
      why = (e as Error).message
    }
  }
  if (why) {
    log.info('wiping node DB', { reason: why })
    await level.clear()
  }
  const want = encodeVersion(selfId ?? (why ? undefined : storedId))
  if (!have || !equalBytes(have, want)) await level.put(dbSchema.versionKey, want, { sync: true })
  return why !== undefined
}

import type { Node, NodeId } from '../node.js'

/** What the node database knows about one node. Times are milliseconds since the epoch; 0 = never. */
export interface NodeDBEntry {
  node: Node
  /** The node's ENR, RLP-encoded, when we have one. */
  enr?: Uint8Array
  /** When the node was last seen alive (added, bonded or answered). */
  lastSeen: number
}

/**
 * The node database (go-ethereum's enode.DB): node records plus per-(node ID, IP) endpoint-proof
 * state. Reads and writes are synchronous so the UDP hot path never waits; a persistent
 * implementation keeps everything in memory and writes behind to disk. Bounded: implementations
 * evict the least recently seen node when full.
 *
 * Bond state is keyed by (ID, IP), as go-ethereum's `enode.DB` keys it (`nodeItemKey`): a proof
 * from one IP does not bond the same key on another IP.
 */
export interface NodeDB {
  /** Number of node records stored. */
  readonly size: number

  /** When we last received a Ping from this node at this IP (0 = never). */
  lastPingReceived(id: NodeId, ip: string): number
  updateLastPingReceived(id: NodeId, ip: string, time: number): void
  /** When we last received a Pong (to one of our Pings) from this node at this IP (0 = never). */
  lastPongReceived(id: NodeId, ip: string): number
  updateLastPongReceived(id: NodeId, ip: string, time: number): void
  /** Consecutive FindNode failures of this node at this IP. */
  findFails(id: NodeId, ip: string): number
  updateFindFails(id: NodeId, ip: string, fails: number): void

  /** The stored record of a node, if any. */
  node(id: NodeId): NodeDBEntry | undefined
  /** Stores or replaces a node record. */
  updateNode(entry: NodeDBEntry): void
  /** Deletes a node and all its per-IP state. */
  deleteNode(id: NodeId): void
  /** Up to `n` random nodes whose last Pong (from their record's IP) is at most `maxAge` ms old. */
  querySeeds(n: number, maxAge: number, now: number): Node[]
  /**
   * Deletes endpoint state not heard from since `before`, and node records neither written nor
   * heard from since; returns how many records were deleted. Called by the table's hourly
   * sweep, never on open.
   */
  expireNodes(before: number): number

  /** Flushes pending writes and releases resources; idempotent. */
  close(): Promise<void>
}

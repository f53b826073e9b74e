import {
  type Clock,
  isLan,
  type Logger,
  noopLogger,
  systemClock,
  TypedEventTarget,
  toHex,
} from '@x/core'
import { logdist } from '../distance.js'
import { type Node, type NodeId, nodeIdHash } from '../node.js'
import type { NodeSource } from '../transport.js'
import { Bucket, type TableNode } from './bucket.js'
import { bucketIndexOf, closestInBuckets } from './closest.js'
import { DistinctNetSet } from './netset.js'
import { type IpLimitOptions, tableDefaults } from './options.js'
import { readRandomNodes } from './random.js'

export interface TableOptions {
  /** Our own node: distances are measured from its hash; it is never added. */
  self: Node
  clock?: Clock
  logger?: Logger
  ipLimits?: IpLimitOptions
  /** Random source for shuffles and replacement picks (default Math.random). */
  random?: () => number
}

export interface TableEvents extends Record<string, unknown> {
  /** A node entered a bucket's live entries. */
  'node:added': { node: Node; bucket: number }
  /** A node left a bucket's live entries (dead, failing, or replaced). */
  'node:removed': { node: Node; bucket: number }
}

/** What `Table.add` did with a node. */
export type AddResult = 'added' | 'bumped' | 'replacement' | 'rejected'

/**
 * The Kademlia routing table (go-ethereum's Table without its I/O): 17 buckets by log distance
 * from our node's hash, 16 live entries and 10 replacements each, and IP limits per bucket and
 * per table. Synchronous and bounded (at most 17 × 26 nodes); the loops that keep it fresh live in
 * `TableMaintenance`, lookups in `lookup`.
 */
export class Table extends TypedEventTarget<TableEvents> implements NodeSource {
  readonly self: Node
  readonly #buckets: Bucket[] = []
  readonly #ips: DistinctNetSet
  readonly #exemptLan: boolean
  /** Live entries by ID hex (not replacements). */
  readonly #byId = new Map<string, { entry: TableNode; bucket: Bucket }>()
  readonly #clock: Clock
  readonly #log: Logger
  readonly random: () => number

  constructor(options: TableOptions) {
    super()
    this.self = options.self
    this.#clock = options.clock ?? systemClock
    this.#log = options.logger ?? noopLogger
    this.random = options.random ?? Math.random
    const lim = options.ipLimits ?? {}
    const bits = lim.subnetBits ?? tableDefaults.tableSubnetBits
    this.#exemptLan = lim.exemptLan ?? true
    this.#ips = new DistinctNetSet(bits, lim.tableLimit ?? tableDefaults.tableIpLimit)
    for (let i = 0; i < tableDefaults.nBuckets; i++) {
      this.#buckets.push(new Bucket(i, lim.bucketLimit ?? tableDefaults.bucketIpLimit, bits))
    }
  }

  /** The buckets, nearest first. Read-only view: change them only through the table's methods. */
  get buckets(): readonly Bucket[] {
    return this.#buckets
  }

  /** Number of live entries. */
  get size(): number {
    return this.#byId.size
  }

  /** Live entries per bucket. */
  fill(): number[] {
    return this.#buckets.map((b) => b.entries.length)
  }

  /** Every live entry. */
  nodes(): Node[] {
    return [...this.#byId.values()].map((v) => v.entry.node)
  }

  /** The bucket of a node hash. */
  bucketOf(hash: Uint8Array): Bucket {
    return this.#buckets[bucketIndexOf(logdist(this.self.hash, hash))]!
  }

  has(id: NodeId | string): boolean {
    return this.#byId.has(typeof id === 'string' ? id : toHex(id))
  }

  /** The live entry with this ID, if any. */
  get(id: NodeId | string): Node | undefined {
    return this.entry(id)?.node
  }

  /** The live entry with this ID and its liveness data, if any. */
  entry(id: NodeId | string): TableNode | undefined {
    return this.#byId.get(typeof id === 'string' ? id : toHex(id))?.entry
  }

  /**
   * Adds a node we have verified (it answered us): moved to the front of its bucket if present
   * (taking its new endpoint when the IP limits allow it), appended if the bucket has room,
   * otherwise kept as a replacement candidate. Our own node is never added.
   */
  add(node: Node): AddResult {
    if (node.idHex === this.self.idHex) return 'rejected'
    // A live entry knows its bucket: no hash of a fresh Node object for the common re-add.
    const present = this.#byId.get(node.idHex)
    if (present) {
      this.#updateEndpoint(present.bucket, present.entry, node)
      present.bucket.bump(node.idHex)
      return 'bumped'
    }
    const b = this.bucketOf(node.hash)
    if (b.full) return this.addReplacement(node) ? 'replacement' : 'rejected'
    const ri = Bucket.indexOf(b.replacements, node.idHex)
    if (ri >= 0) {
      const [r] = b.replacements.splice(ri, 1)
      this.#removeIp(b, r!.node.ip)
    }
    if (!this.#addIp(b, node.ip)) {
      this.#log.debug('table IP limit', { node: `${node}` })
      return 'rejected'
    }
    const entry: TableNode = { node, addedAt: this.#clock.now(), livenessChecks: 0 }
    b.entries.push(entry)
    this.#byId.set(node.idHex, { entry, bucket: b })
    this.emit('node:added', { node, bucket: b.index })
    return 'added'
  }

  /**
   * Keeps `node` as a replacement candidate of its bucket (most recent first, 10 at most; the
   * oldest is dropped). False if it is a live entry, already a candidate, or over the IP limits.
   */
  addReplacement(node: Node): boolean {
    if (node.idHex === this.self.idHex || this.#byId.has(node.idHex)) return false
    const b = this.bucketOf(node.hash)
    if (Bucket.indexOf(b.replacements, node.idHex) >= 0) return false
    if (!this.#addIp(b, node.ip)) return false
    b.replacements.unshift({ node, addedAt: this.#clock.now(), livenessChecks: 0 })
    if (b.replacements.length > tableDefaults.maxReplacements) {
      const dropped = b.replacements.pop()!
      this.#removeIp(b, dropped.node.ip)
    }
    return true
  }

  /** Removes a node from its bucket's entries and replacements; true if it was a live entry. */
  delete(id: NodeId | string): boolean {
    const idHex = typeof id === 'string' ? id : toHex(id)
    const present = this.#byId.get(idHex)
    if (!present) {
      for (const b of this.#buckets) {
        const ri = Bucket.indexOf(b.replacements, idHex)
        if (ri < 0) continue
        const [r] = b.replacements.splice(ri, 1)
        this.#removeIp(b, r!.node.ip)
        break
      }
      return false
    }
    const b = present.bucket
    b.entries.splice(Bucket.indexOf(b.entries, idHex), 1)
    this.#removeIp(b, present.entry.node.ip)
    this.#byId.delete(idHex)
    this.emit('node:removed', { node: present.entry.node, bucket: b.index })
    return true
  }

  /** Moves a live entry to the front of its bucket; false if absent. */
  bump(id: NodeId | string): boolean {
    const idHex = typeof id === 'string' ? id : toHex(id)
    const present = this.#byId.get(idHex)
    return present ? present.bucket.bump(idHex) !== undefined : false
  }

  /**
   * Replaces a dead live entry by a random replacement candidate of its bucket (go-ethereum's
   * `replace`), or just removes it when there is none. Returns the node that took its place.
   */
  replace(id: NodeId | string): Node | undefined {
    const idHex = typeof id === 'string' ? id : toHex(id)
    const present = this.#byId.get(idHex)
    if (!present) return undefined
    const b = present.bucket
    this.delete(idHex)
    if (b.replacements.length === 0) return undefined
    const [r] = b.replacements.splice(Math.floor(this.random() * b.replacements.length), 1)
    // The candidate's IP is already counted in the limits: it moves from one list to the other.
    const entry: TableNode = { node: r!.node, addedAt: this.#clock.now(), livenessChecks: 0 }
    b.entries.push(entry)
    this.#byId.set(entry.node.idHex, { entry, bucket: b })
    this.emit('node:added', { node: entry.node, bucket: b.index })
    return entry.node
  }

  /** The `n` live entries closest to keccak256(`target`) (what FindNode answers with). */
  closest(target: NodeId, n: number): Node[] {
    return this.closestToHash(nodeIdHash(target), n)
  }

  /** The `n` live entries closest to a 32-byte hash. */
  closestToHash(hash: Uint8Array, n: number): Node[] {
    return closestInBuckets(this.#buckets, this.self.hash, hash, n)
  }

  /** Up to `n` distinct random live entries, spread over the buckets. */
  readRandomNodes(n: number): Node[] {
    return readRandomNodes(this.#buckets, n, this.random)
  }

  #updateEndpoint(b: Bucket, entry: TableNode, node: Node): void {
    const old = entry.node
    if (old.equals(node)) return
    if (old.ip !== node.ip) {
      this.#removeIp(b, old.ip)
      if (!this.#addIp(b, node.ip)) {
        this.#addIp(b, old.ip)
        return
      }
    }
    entry.node = node
  }

  #addIp(b: Bucket, ip: string): boolean {
    if (this.#exemptLan && isLan(ip)) return true
    if (!this.#ips.add(ip)) return false
    if (!b.ips.add(ip)) {
      this.#ips.remove(ip)
      return false
    }
    return true
  }

  #removeIp(b: Bucket, ip: string): void {
    if (this.#exemptLan && isLan(ip)) return
    this.#ips.remove(ip)
    b.ips.remove(ip)
  }
}

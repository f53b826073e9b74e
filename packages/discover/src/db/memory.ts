import { bytesToHex } from '@noble/hashes/utils.js'
import type { Node, NodeId } from '../node.js'
import type { NodeDB, NodeDBEntry } from './types.js'

/** Per-(ID, IP) endpoint-proof state. */
export interface EndpointState {
  lastPing: number
  lastPong: number
  findFails: number
}

export interface MemoryNodeDBOptions {
  /** Most node records kept; the least recently seen is evicted beyond it (default 50 000). */
  maxNodes?: number
  /** Random source for querySeeds, injectable for deterministic tests (default Math.random). */
  random?: () => number
}

export const memoryNodeDBDefaults = { maxNodes: 50_000 } as const

/** Key of per-endpoint state. */
const epKey = (idHex: string, ip: string) => `${idHex}|${ip}`

/**
 * The in-memory node database, the default when no path is given. Also the cache under the
 * persistent database, which calls `onChange` hooks to write behind.
 */
export class MemoryNodeDB implements NodeDB {
  readonly #nodes = new Map<string, NodeDBEntry>()
  readonly #endpoints = new Map<string, EndpointState>()
  /** Endpoint keys by node, so deleting a node deletes its endpoint state. */
  readonly #endpointsOf = new Map<string, Set<string>>()
  readonly #maxNodes: number
  readonly #random: () => number
  #closed = false

  constructor(options: MemoryNodeDBOptions = {}) {
    this.#maxNodes = options.maxNodes ?? memoryNodeDBDefaults.maxNodes
    this.#random = options.random ?? Math.random
  }

  get size(): number {
    return this.#nodes.size
  }

  #endpoint(id: NodeId, ip: string): EndpointState | undefined {
    return this.#endpoints.get(epKey(bytesToHex(id), ip))
  }

  #ensureEndpoint(id: NodeId, ip: string): EndpointState {
    const idHex = bytesToHex(id)
    const key = epKey(idHex, ip)
    let ep = this.#endpoints.get(key)
    if (!ep) {
      // Endpoint state is bounded with the nodes: at most 4 IPs per node are tracked.
      let keys = this.#endpointsOf.get(idHex)
      if (!keys) {
        keys = new Set()
        this.#endpointsOf.set(idHex, keys)
      }
      if (keys.size >= 4) {
        const oldest = keys.values().next().value as string
        keys.delete(oldest)
        this.#endpoints.delete(oldest)
      }
      if (this.#endpointsOf.size > this.#maxNodes * 2) this.#evictEndpoints()
      ep = { lastPing: 0, lastPong: 0, findFails: 0 }
      this.#endpoints.set(key, ep)
      keys.add(key)
    }
    return ep
  }

  /** Drops endpoint state of nodes that have no record, oldest first, down to maxNodes. */
  #evictEndpoints(): void {
    for (const [idHex, keys] of this.#endpointsOf) {
      if (this.#endpointsOf.size <= this.#maxNodes) break
      if (this.#nodes.has(idHex)) continue
      for (const k of keys) {
        this.#endpoints.delete(k)
        this.onEndpointChange?.(k, undefined)
      }
      this.#endpointsOf.delete(idHex)
    }
  }

  /** Write-behind hooks for a persistent store. */
  onNodeChange?: (idHex: string, entry: NodeDBEntry | undefined) => void
  onEndpointChange?: (key: string, state: EndpointState | undefined) => void

  lastPingReceived(id: NodeId, ip: string): number {
    return this.#endpoint(id, ip)?.lastPing ?? 0
  }

  updateLastPingReceived(id: NodeId, ip: string, time: number): void {
    const ep = this.#ensureEndpoint(id, ip)
    ep.lastPing = time
    this.onEndpointChange?.(epKey(bytesToHex(id), ip), ep)
  }

  lastPongReceived(id: NodeId, ip: string): number {
    return this.#endpoint(id, ip)?.lastPong ?? 0
  }

  updateLastPongReceived(id: NodeId, ip: string, time: number): void {
    const ep = this.#ensureEndpoint(id, ip)
    ep.lastPong = time
    this.onEndpointChange?.(epKey(bytesToHex(id), ip), ep)
  }

  findFails(id: NodeId, ip: string): number {
    return this.#endpoint(id, ip)?.findFails ?? 0
  }

  updateFindFails(id: NodeId, ip: string, fails: number): void {
    const ep = this.#ensureEndpoint(id, ip)
    ep.findFails = fails
    this.onEndpointChange?.(epKey(bytesToHex(id), ip), ep)
  }

  node(id: NodeId): NodeDBEntry | undefined {
    return this.#nodes.get(bytesToHex(id))
  }

  updateNode(entry: NodeDBEntry): void {
    const idHex = entry.node.idHex
    // Re-insert so Map order is least-recently-updated first, which eviction relies on.
    this.#nodes.delete(idHex)
    this.#nodes.set(idHex, entry)
    this.onNodeChange?.(idHex, entry)
    while (this.#nodes.size > this.#maxNodes) {
      const oldest = this.#nodes.keys().next().value as string
      this.#deleteHex(oldest)
    }
  }

  deleteNode(id: NodeId): void {
    this.#deleteHex(bytesToHex(id))
  }

  #deleteHex(idHex: string): void {
    if (this.#nodes.delete(idHex)) this.onNodeChange?.(idHex, undefined)
    const keys = this.#endpointsOf.get(idHex)
    if (keys) {
      for (const k of keys) {
        this.#endpoints.delete(k)
        this.onEndpointChange?.(k, undefined)
      }
      this.#endpointsOf.delete(idHex)
    }
  }

  querySeeds(n: number, maxAge: number, now: number): Node[] {
    const fresh: Node[] = []
    for (const e of this.#nodes.values()) if (now - e.lastSeen <= maxAge) fresh.push(e.node)
    // Partial Fisher–Yates: a uniform random sample of n.
    const k = Math.min(n, fresh.length)
    for (let i = 0; i < k; i++) {
      const j = i + Math.floor(this.#random() * (fresh.length - i))
      ;[fresh[i], fresh[j]] = [fresh[j]!, fresh[i]!]
    }
    return fresh.slice(0, k)
  }

  expireNodes(before: number): number {
    let n = 0
    for (const [idHex, e] of this.#nodes) {
      if (e.lastSeen < before) {
        this.#deleteHex(idHex)
        n++
      }
    }
    return n
  }

  /** Loads state without firing write-behind hooks (used by the persistent DB on open). */
  load(nodes: Iterable<[string, NodeDBEntry]>, endpoints: Iterable<[string, EndpointState]>): void {
    for (const [idHex, e] of nodes) this.#nodes.set(idHex, e)
    for (const [key, st] of endpoints) {
      const idHex = key.slice(0, key.indexOf('|'))
      let keys = this.#endpointsOf.get(idHex)
      if (!keys) {
        keys = new Set()
        this.#endpointsOf.set(idHex, keys)
      }
      keys.add(key)
      this.#endpoints.set(key, st)
    }
  }

  get closed(): boolean {
    return this.#closed
  }

  async close(): Promise<void> {
    this.#closed = true
  }
}

import { toHex } from '@x/core'
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

/** Key of per-endpoint state in the write-behind hooks. */
const epKey = (idHex: string, ip: string) => `${idHex}|${ip}`

/** Endpoint state of one IP of a node. */
interface IpState extends EndpointState {
  ip: string
}

/** Endpoint state is bounded with the nodes: at most this many IPs per node are tracked. */
const maxIpsPerNode = 4

/**
 * The in-memory node database, the default when no path is given. Also the cache under the
 * persistent database, which calls `onChange` hooks to write behind.
 */
export class MemoryNodeDB implements NodeDB {
  readonly #nodes = new Map<string, NodeDBEntry>()
  /**
   * Endpoint state by node ID hex: a short list (≤ 4 IPs, oldest first), so a node costs one
   * map entry however many IPs it used. Map order is first-seen order, which eviction uses.
   */
  readonly #endpoints = new Map<string, IpState[]>()
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

  /** The last ID looked up and its hex: one packet makes several lookups of the same ID array. */
  #lastId: NodeId | undefined
  #lastHex = ''

  /** Hex of a node ID (IDs are never mutated: Node is immutable, decoded IDs are copies). */
  #hex(id: NodeId): string {
    if (id !== this.#lastId) {
      this.#lastHex = toHex(id)
      this.#lastId = id
    }
    return this.#lastHex
  }

  /**
   * The endpoint state found last (one packet reads and writes the same one several times);
   * forgotten whenever endpoint state is dropped.
   */
  #memo: { idHex: string; st: IpState } | undefined

  #endpoint(id: NodeId, ip: string): EndpointState | undefined {
    const idHex = this.#hex(id)
    const m = this.#memo
    if (m && m.st.ip === ip && m.idHex === idHex) return m.st
    const list = this.#endpoints.get(idHex)
    if (list) {
      for (const st of list) {
        if (st.ip !== ip) continue
        this.#memo = { idHex, st }
        return st
      }
    }
    return undefined
  }

  #ensureEndpoint(idHex: string, ip: string): EndpointState {
    let list = this.#endpoints.get(idHex)
    if (!list) {
      if (this.#endpoints.size >= this.#maxNodes * 2) this.#evictEndpoints()
      list = []
      this.#endpoints.set(idHex, list)
    }
    for (const st of list) if (st.ip === ip) return st
    if (list.length >= maxIpsPerNode) {
      const oldest = list.shift()!
      this.#memo = undefined
      this.onEndpointChange?.(epKey(idHex, oldest.ip), undefined)
    }
    const st: IpState = { ip, lastPing: 0, lastPong: 0, findFails: 0 }
    list.push(st)
    return st
  }

  /** Drops endpoint state of nodes that have no record, first seen first, down to maxNodes. */
  #evictEndpoints(): void {
    for (const idHex of this.#endpoints.keys()) {
      if (this.#endpoints.size <= this.#maxNodes) break
      if (!this.#nodes.has(idHex)) this.#dropEndpoints(idHex)
    }
  }

  #dropEndpoints(idHex: string): void {
    const list = this.#endpoints.get(idHex)
    if (!list) return
    this.#memo = undefined
    this.#endpoints.delete(idHex)
    for (const st of list) this.onEndpointChange?.(epKey(idHex, st.ip), undefined)
  }

  #update(id: NodeId, ip: string, set: (st: EndpointState) => void): void {
    const idHex = this.#hex(id)
    const st = this.#ensureEndpoint(idHex, ip)
    set(st)
    this.onEndpointChange?.(epKey(idHex, ip), st)
  }

  /** Write-behind hooks for a persistent store. */
  onNodeChange?: (idHex: string, entry: NodeDBEntry | undefined) => void
  onEndpointChange?: (key: string, state: EndpointState | undefined) => void

  lastPingReceived(id: NodeId, ip: string): number {
    return this.#endpoint(id, ip)?.lastPing ?? 0
  }

  updateLastPingReceived(id: NodeId, ip: string, time: number): void {
    this.#update(id, ip, (st) => {
      st.lastPing = time
    })
  }

  lastPongReceived(id: NodeId, ip: string): number {
    return this.#endpoint(id, ip)?.lastPong ?? 0
  }

  updateLastPongReceived(id: NodeId, ip: string, time: number): void {
    this.#update(id, ip, (st) => {
      st.lastPong = time
    })
  }

  findFails(id: NodeId, ip: string): number {
    return this.#endpoint(id, ip)?.findFails ?? 0
  }

  updateFindFails(id: NodeId, ip: string, fails: number): void {
    this.#update(id, ip, (st) => {
      st.findFails = fails
    })
  }

  node(id: NodeId): NodeDBEntry | undefined {
    return this.#nodes.get(this.#hex(id))
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
    this.#deleteHex(this.#hex(id))
  }

  #deleteHex(idHex: string): void {
    if (this.#nodes.delete(idHex)) this.onNodeChange?.(idHex, undefined)
    this.#dropEndpoints(idHex)
  }

  /**
   * go-ethereum's `QuerySeeds`: a node qualifies by the last Pong it sent from the IP of its
   * record (`LastPongReceived(n.ID(), n.IPAddr())`), not by when the record was written, so a
   * node that was off for days still finds the peers that answered it then (the table asks for
   * 5 days, `seedMaxAge`).
   */
  querySeeds(n: number, maxAge: number, now: number): Node[] {
    const fresh: Node[] = []
    for (const e of this.#nodes.values()) {
      const pong = this.lastPongReceived(e.node.id, e.node.ip)
      if (pong > 0 && now - pong <= maxAge) fresh.push(e.node)
    }
    // Partial Fisher–Yates: a uniform random sample of n.
    const k = Math.min(n, fresh.length)
    for (let i = 0; i < k; i++) {
      const j = i + Math.floor(this.#random() * (fresh.length - i))
      ;[fresh[i], fresh[j]] = [fresh[j]!, fresh[i]!]
    }
    return fresh.slice(0, k)
  }

  /**
   * go-ethereum's `expireNodes`: drops the endpoint state of every IP not heard from (no Ping,
   * no Pong) since `before`, and every node record whose record and endpoints are all older.
   * Returns how many node records were deleted. Only the table's hourly sweep calls it: nothing
   * is expired when a store opens.
   */
  expireNodes(before: number): number {
    let n = 0
    for (const [idHex, list] of this.#endpoints) {
      const keep = list.filter((st) => Math.max(st.lastPing, st.lastPong) >= before)
      if (keep.length === list.length) continue
      this.#memo = undefined
      for (const st of list) {
        if (!keep.includes(st)) this.onEndpointChange?.(epKey(idHex, st.ip), undefined)
      }
      if (keep.length === 0) this.#endpoints.delete(idHex)
      else this.#endpoints.set(idHex, keep)
    }
    for (const [idHex, e] of this.#nodes) {
      if (e.lastSeen >= before || this.#endpoints.has(idHex)) continue
      this.#deleteHex(idHex)
      n++
    }
    return n
  }

  /** Loads state without firing write-behind hooks (used by the persistent DB on open). */
  load(nodes: Iterable<[string, NodeDBEntry]>, endpoints: Iterable<[string, EndpointState]>): void {
    for (const [idHex, e] of nodes) this.#nodes.set(idHex, e)
    for (const [key, st] of endpoints) {
      const bar = key.indexOf('|')
      const idHex = key.slice(0, bar)
      let list = this.#endpoints.get(idHex)
      if (!list) {
        list = []
        this.#endpoints.set(idHex, list)
      }
      if (list.length < maxIpsPerNode) list.push({ ...st, ip: key.slice(bar + 1) })
    }
  }

  get closed(): boolean {
    return this.#closed
  }

  async close(): Promise<void> {
    this.#closed = true
  }
}

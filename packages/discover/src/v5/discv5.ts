import { setMaxListeners } from 'node:events'
import { type Clock, type Logger, noopLogger, systemClock, toHex } from '@x/core'
import { MemoryNodeDB } from '../db/memory.js'
import type { NodeDB } from '../db/types.js'
import { Enr } from '../enr/enr.js'
import { DiscoverError } from '../errors.js'
import type { Node, NodeId } from '../node.js'
import { Kademlia } from '../table/kademlia.js'
import type { LookupOptions } from '../table/lookup.js'
import type { MaintenanceOptions } from '../table/maintenance.js'
import type { IpLimitOptions } from '../table/options.js'
import type { Table } from '../table/table.js'
import type { TalkHandler, UDPv5Options } from './options.js'
import { UDPv5 } from './udpv5.js'

export const discv5Defaults = {
  /** PINGs in flight at most to nodes that just made a session with us. */
  maxInboundPings: 64,
} as const

export interface DiscoveryV5Options extends UDPv5Options {
  /** Entry points: records (`enr:…` text or decoded); discv5 needs a node's record to talk. */
  bootnodes?: readonly (Enr | string)[]
  /** Node database (default: in memory). `stop()` closes it. */
  db?: NodeDB
  ipLimits?: IpLimitOptions
  maintenance?: MaintenanceOptions
  /** Random source of the table (seed it in simulations). */
  random?: () => number
}

/**
 * Node Discovery v5 in one object: the UDPv5 service and a Kademlia table of its own on it
 * (buckets by log distance, revalidation, IP limits and lookups as for v4), bootstrapping from
 * records, and record updates on higher seq. Satisfies p2p's `DialDiscovery` (`readRandomNodes`,
 * `randomNodes`, `resolve`), so the dial scheduler takes its nodes beside v4's. Construct, then
 * `start()`; `stop()` releases everything, the node database included.
 */
export class DiscoveryV5 {
  readonly udp: UDPv5
  readonly #options: DiscoveryV5Options
  readonly #bootnodes: Enr[]
  readonly #db: NodeDB
  readonly #clock: Clock
  readonly #log: Logger
  readonly #abort = new AbortController()
  #kademlia: Kademlia | undefined
  #state: 'new' | 'running' | 'stopped' = 'new'
  #starting: Promise<void> | undefined

  /** Throws `EnrError` for a bootnode that is not a valid record. */
  constructor(options: DiscoveryV5Options) {
    this.#options = options
    this.#bootnodes = (options.bootnodes ?? []).map((b) =>
      typeof b === 'string' ? Enr.fromText(b.trim()) : b,
    )
    this.#db = options.db ?? new MemoryNodeDB()
    this.#clock = options.clock ?? systemClock
    this.#log = options.logger ?? noopLogger
    this.udp = new UDPv5(options)
    // Listeners on the stop signal: three event subscriptions, one per bootnode PING and one
    // per inbound PING in flight (bounded by maxInboundPings).
    setMaxListeners(discv5Defaults.maxInboundPings + this.#bootnodes.length + 8, this.#abort.signal)
  }

  get kademlia(): Kademlia {
    if (!this.#kademlia) throw new DiscoverError('ERR_NOT_STARTED', 'discv5 not started')
    return this.#kademlia
  }

  get table(): Table {
    return this.kademlia.table
  }

  get self(): Node {
    return this.udp.self
  }

  get enr(): Enr {
    return this.udp.enr
  }

  /** Opens the socket, pings the bootnodes (resolves once each answered or failed), starts the loops. */
  start(): Promise<void> {
    this.#starting ??= this.#start()
    return this.#starting
  }

  async #start(): Promise<void> {
    if (this.#state !== 'new') return
    const udp = this.udp
    await udp.start()
    if (this.#state !== 'new') return
    this.#state = 'running'
    const nodes: Node[] = []
    for (const b of this.#bootnodes) {
      udp.addRecord(b)
      const n = b.toNode()
      if (n) nodes.push(n)
      else this.#log.warn('discv5 bootnode record has no endpoint', { enr: b.toText() })
    }
    const kademlia = new Kademlia({
      transport: udp,
      db: this.#db,
      clock: this.#clock,
      logger: this.#log,
      bootnodes: nodes,
      ipLimits: this.#options.ipLimits,
      maintenance: this.#options.maintenance,
      random: this.#options.random,
    })
    this.#kademlia = kademlia
    udp.setTable(kademlia.table)
    const signal = this.#abort.signal
    const table = kademlia.table
    table.addEventListener(
      'node:added',
      (e) => {
        const entry = table.entry(e.detail.node.idHex)
        const r = udp.records.get(toHex(e.detail.node.hash))
        if (entry && r) {
          entry.enr = r
          entry.enrSeq = r.seq
        }
      },
      { signal },
    )
    // A node that completed a handshake with us proved its key (go-ethereum's addInboundNode);
    // it enters the table once it answers our PING from its record's endpoint.
    let inboundPings = 0
    udp.addEventListener(
      'session:established',
      (e) => {
        const n = e.detail.node
        if (e.detail.initiator || table.has(n.idHex)) {
          table.add(n)
          return
        }
        if (inboundPings >= discv5Defaults.maxInboundPings) return
        inboundPings++
        udp
          .ping(n, { signal })
          .then(
            () => table.add(n),
            () => {},
          )
          .finally(() => inboundPings--)
      },
      { signal },
    )
    udp.addEventListener(
      'enr:updated',
      (e) => {
        const n = e.detail.enr.toNode()
        if (!n) return
        const entry = table.entry(n.idHex)
        if (!entry) return
        entry.enr = e.detail.enr
        entry.enrSeq = e.detail.enr.seq
        table.add(n)
      },
      { signal },
    )
    await Promise.all(
      nodes.map(async (n) => {
        try {
          await udp.ping(n, { signal })
          table.add(n)
        } catch (e) {
          if (!signal.aborted) {
            this.#log.warn('discv5 bootnode did not answer', {
              bootnode: `${n}`,
              err: (e as Error).message,
            })
          }
        }
      }),
    )
    if (this.#state !== 'running') return
    kademlia.start()
    this.#log.info('discv5 started', { self: `${udp.self}`, bootnodes: nodes.length })
  }

  /** Iterative lookup: the 16 closest nodes that answered to keccak256(`target`), a public key. */
  lookup(target: NodeId, options: LookupOptions = {}): Promise<Node[]> {
    return this.kademlia.lookup(target, options)
  }

  /** Runs a table refresh now (self lookup and random lookups), or waits for the running one. */
  refresh(): Promise<void> {
    return this.kademlia.refresh()
  }

  /** Up to `n` distinct random table nodes, without waiting. */
  readRandomNodes(n: number): Node[] {
    return this.kademlia.readRandomNodes(n)
  }

  /** Nodes found by random lookups (go-ethereum's RandomNodes), until `signal` aborts or stop. */
  randomNodes(options: { signal: AbortSignal }): AsyncGenerator<Node, void, undefined> {
    return this.kademlia.randomNodes(options)
  }

  /** The node with this ID (public key): from the table, else by a lookup. */
  resolve(id: NodeId, options: LookupOptions = {}): Promise<Node | undefined> {
    return this.kademlia.resolve(id, options)
  }

  /** The record of a node we know (table or recently seen), by its node. */
  record(node: Node): Enr | undefined {
    return this.udp.records.get(toHex(node.hash))
  }

  /** Asks `node` for its current record (FINDNODE distance 0). */
  requestENR(node: Node, options: { signal?: AbortSignal } = {}): Promise<Enr> {
    return this.udp.requestENR(node, options)
  }

  /** TALKREQ to `node` for `protocol`: its TALKRESP bytes. */
  talkRequest(
    node: Node,
    protocol: string,
    request: Uint8Array,
    options: { signal?: AbortSignal } = {},
  ): Promise<Uint8Array> {
    return this.udp.talkRequest(node, protocol, request, options)
  }

  registerTalkHandler(protocol: string, handler: TalkHandler): void {
    this.udp.registerTalkHandler(protocol, handler)
  }

  get running(): boolean {
    return this.#state === 'running'
  }

  /** Stops the loops, fails requests, closes the socket it owns and the DB. Idempotent. */
  async stop(): Promise<void> {
    if (this.#state === 'stopped') return
    this.#state = 'stopped'
    this.#abort.abort()
    await this.#starting?.catch(() => {})
    await this.#kademlia?.stop()
    await this.udp.stop()
    await this.#db.close()
  }
}

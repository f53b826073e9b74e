import { TimeoutError } from '@x/core'
import { ManualClock } from '@x/core/testing'
import {
  type DiscoveryTransport,
  type Enr,
  MemoryNodeDB,
  type Node,
  type NodeId,
} from '../../src/index.js'
import { Kademlia, type KademliaOptions } from '../../src/table/kademlia.js'
import { randomNode } from './helpers.js'

/**
 * An in-memory discovery network for table tests: each peer is a Kademlia over a FakeTransport
 * whose ping/findnode call the remote peer directly (on the microtask queue). A ping or findnode
 * also makes the remote add us to its table, as UDPv4's `bonded` event does in the real node.
 */
export class FakeNetwork {
  readonly clock = new ManualClock()
  readonly peers = new Map<string, FakePeer>()
  readonly dead = new Set<string>()
  pings = 0
  findnodes = 0

  /** Adds a peer (not started) at a fresh 10.x address. */
  add(options: Partial<KademliaOptions> & { node?: Node } = {}): FakePeer {
    const i = this.peers.size + 1
    const node = options.node ?? randomNode(`10.${(i >> 16) & 0xff}.${(i >> 8) & 0xff}.${i & 0xff}`)
    const transport = new FakeTransport(this, node)
    const kad = new Kademlia({
      transport,
      clock: this.clock,
      db: new MemoryNodeDB(),
      ...options,
    })
    const peer = { node, transport, kad }
    this.peers.set(node.idHex, peer)
    return peer
  }

  /** The live peer at this node's endpoint, or undefined. */
  reach(node: Node): FakePeer | undefined {
    const p = this.peers.get(node.idHex)
    if (!p || this.dead.has(node.idHex) || p.node.ip !== node.ip || p.node.udp !== node.udp) {
      return undefined
    }
    return p
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.peers.values()].map((p) => p.kad.stop()))
  }
}

export interface FakePeer {
  node: Node
  transport: FakeTransport
  kad: Kademlia
}

export class FakeTransport implements DiscoveryTransport {
  readonly self: Node
  readonly #net: FakeNetwork
  enrSeq: bigint | undefined
  enr: Enr | undefined
  /** FindNode queries of this transport in flight now, and at most so far. */
  inflight = 0
  maxInflight = 0

  constructor(net: FakeNetwork, self: Node) {
    this.#net = net
    this.self = self
  }

  async ping(node: Node, options: { signal?: AbortSignal } = {}): Promise<{ enrSeq?: bigint }> {
    await Promise.resolve()
    options.signal?.throwIfAborted()
    this.#net.pings++
    const peer = this.#net.reach(node)
    if (!peer) throw new TimeoutError(`no pong from ${node}`)
    peer.kad.table.add(this.self)
    return peer.transport.enrSeq === undefined ? {} : { enrSeq: peer.transport.enrSeq }
  }

  async findnode(node: Node, target: NodeId, options: { signal?: AbortSignal } = {}) {
    this.inflight++
    this.maxInflight = Math.max(this.maxInflight, this.inflight)
    try {
      // Answers take a few microtask turns, so concurrent queries overlap.
      for (let i = 0; i < 3; i++) await Promise.resolve()
      return this.#answer(node, target, options)
    } finally {
      this.inflight--
    }
  }

  #answer(node: Node, target: NodeId, options: { signal?: AbortSignal }): Node[] {
    options.signal?.throwIfAborted()
    this.#net.findnodes++
    const peer = this.#net.reach(node)
    if (!peer) throw new TimeoutError(`no neighbors from ${node}`)
    peer.kad.table.add(this.self)
    return peer.kad.closest(target, 16)
  }

  async requestENR(node: Node, options: { signal?: AbortSignal } = {}): Promise<Enr> {
    await Promise.resolve()
    options.signal?.throwIfAborted()
    const peer = this.#net.reach(node)
    if (!peer?.transport.enr) throw new TimeoutError(`no ENR response from ${node}`)
    return peer.transport.enr
  }
}

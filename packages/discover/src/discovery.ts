import { type Clock, type Logger, noopLogger, systemClock } from '@x/core'
import { MemoryNodeDB } from './db/memory.js'
import type { NodeDB } from './db/types.js'
import type { Enr } from './enr/enr.js'
import { DiscoverError } from './errors.js'
import {
  type EnodeHost,
  type HostResolver,
  isEnodeHost,
  parseEnodeTarget,
  resolveEnodeHost,
} from './host.js'
import type { Node, NodeId } from './node.js'
import { Kademlia, type KademliaOptions } from './table/kademlia.js'
import type { LookupOptions } from './table/lookup.js'
import type { MaintenanceOptions } from './table/maintenance.js'
import type { IpLimitOptions } from './table/options.js'
import type { Table } from './table/table.js'
import { bootstrap, parseBootnode } from './udp/bootstrap.js'
import type { IpTrackerOptions } from './udp/ip-tracker.js'
import type { SntpServer } from './udp/ntp.js'
import { udpv4Defaults } from './udp/options.js'
import type { DatagramTransport, UdpAddress } from './udp/transport.js'
import { UDPv4 } from './udp/udpv4.js'

export interface DiscoveryOptions {
  /** The 32-byte node key. */
  privateKey: Uint8Array
  /** Address to bind (default 0.0.0.0). Ignored with `transport`. */
  host?: string
  /** UDP port to bind (default 0: any free port). Ignored with `transport`. */
  port?: number
  /** Our RLPx TCP port, advertised in Pings and the ENR (default: the UDP port). */
  tcpPort?: number
  /**
   * A static advertised IP (`--nat extip:`); default: predicted from other nodes' Pongs, else
   * the bound IP, else 127.0.0.1 when bound to all interfaces.
   */
  ip?: string
  /** Endpoint prediction tuning (go-ethereum's IP tracker constants by default). */
  ipTracker?: IpTrackerOptions
  /**
   * Entry points: Nodes, `enode://…` URLs (the host may be a DNS name, resolved at start) or
   * `enr:…` records.
   */
  bootnodes?: readonly (Node | EnodeHost | string)[]
  /** Resolves bootnode host names (default: the system resolver), each within 5 s. */
  hostResolver?: HostResolver
  /** Node database (default: in memory). `stop()` closes it. */
  db?: NodeDB
  logger?: Logger
  clock?: Clock
  /** Accepts only Neighbors entries whose IP passes (node-app's --netrestrict). */
  netrestrict?: (ip: string) => boolean
  /** A datagram transport instead of a real socket (`MemoryNetwork` in tests and simulations). */
  transport?: DatagramTransport
  /** SNTP server of the clock-drift check (default pool.ntp.org); false disables it. */
  ntp?: SntpServer | false
  ipLimits?: IpLimitOptions
  maintenance?: MaintenanceOptions
  /** Random source of the table (seed it in simulations). */
  random?: () => number
  /** Datagrams that are not discv4, for discv5 on the same socket (see `UDPv4Options`). */
  unhandled?: (data: Uint8Array, from: UdpAddress) => void
}

/** A snapshot for monitoring (node-app logs it periodically). */
export interface DiscoveryStats {
  /** Live table entries. */
  tableSize: number
  /** Live entries per bucket, nearest bucket first (17 numbers). */
  buckets: number[]
  /** Replacement candidates over all buckets. */
  replacements: number
  /** Table entries whose endpoint proof (our Ping answered) is still valid. */
  bonded: number
  /** Node records in the DB. */
  dbSize: number
}

/**
 * Node Discovery v4 in one object: the UDPv4 service, the Kademlia table serving its FindNode
 * answers, bootstrapping and the maintenance loops. It is what a node uses, and it satisfies
 * p2p's `DialDiscovery` (`readRandomNodes`, `randomNodes`, `resolve`). Construct, then
 * `start()`; `stop()` releases everything, the node database included.
 */
export class Discovery {
  readonly udp: UDPv4
  readonly #kademliaOptions: KademliaOptions & { db: NodeDB }
  // Made by start(): the table is keyed by our own node, whose endpoint is known once bound.
  #kademlia: Kademlia | undefined
  readonly #bootnodes: Node[] = []
  readonly #hostBootnodes: EnodeHost[] = []
  readonly #hostResolver: HostResolver | undefined
  readonly #clock: Clock
  readonly #log: Logger
  readonly #abort = new AbortController()
  #state: 'new' | 'running' | 'stopped' = 'new'
  #starting: Promise<void> | undefined
  #shutdown: Promise<void> | undefined

  /**
   * Checks the options and builds the parts; opens nothing. Throws a `DiscoverError` for an
   * unparsable bootnode or an invalid key.
   */
  constructor(options: DiscoveryOptions) {
    for (const b of options.bootnodes ?? []) {
      const t =
        typeof b !== 'string'
          ? b
          : b.startsWith('enr:')
            ? parseBootnode(b)
            : parseEnodeTarget(b.trim())
      if (isEnodeHost(t)) this.#hostBootnodes.push(t)
      else this.#bootnodes.push(t)
    }
    this.#hostResolver = options.hostResolver
    this.#clock = options.clock ?? systemClock
    this.#log = options.logger ?? noopLogger
    const db = options.db ?? new MemoryNodeDB()
    this.udp = new UDPv4({
      privateKey: options.privateKey,
      host: options.host,
      port: options.port,
      tcpPort: options.tcpPort,
      ip: options.ip,
      ...(options.ipTracker && { ipTracker: options.ipTracker }),
      db,
      clock: this.#clock,
      logger: this.#log,
      transport: options.transport,
      ntp: options.ntp,
      netrestrict: options.netrestrict,
      ...(options.unhandled && { unhandled: options.unhandled }),
    })
    this.#kademliaOptions = {
      transport: this.udp,
      db,
      clock: this.#clock,
      logger: this.#log,
      bootnodes: this.#bootnodes,
      ipLimits: options.ipLimits,
      maintenance: options.maintenance,
      random: options.random,
    }
  }

  /** The table and its maintenance (from `start()` on). */
  get kademlia(): Kademlia {
    if (!this.#kademlia) throw new DiscoverError('ERR_NOT_STARTED', 'discovery not started')
    return this.#kademlia
  }

  /**
   * Binds the UDP socket (or takes `options.transport`), bonds with the bootnodes (resolves once
   * each answered or timed out), and starts the maintenance loops, whose first refresh runs in
   * the background (`refresh()` waits for it). Concurrent calls share one start; `stop()`
   * during a start ends it.
   */
  start(): Promise<void> {
    this.#starting ??= this.#start()
    return this.#starting
  }

  async #start(): Promise<void> {
    if (this.#state !== 'new') return
    const udp = this.udp
    try {
      await udp.start()
      if (this.#state !== 'new') return // stopped meanwhile
      this.#state = 'running'
      await this.#resolveBootnodes()
      if (this.#state !== 'running') return // stopped while resolving
      const kademlia = new Kademlia(this.#kademliaOptions)
      this.#kademlia = kademlia
      udp.setNodeSource(kademlia.table)
      // A node that completed the endpoint proof both ways is verified: it may enter the table.
      udp.addEventListener('bonded', (e) => kademlia.table.add(e.detail.node), {
        signal: this.#abort.signal,
      })
      if (this.#bootnodes.length > 0) {
        const r = await bootstrap(udp, this.#bootnodes, { signal: this.#abort.signal })
        for (const n of r.bonded) kademlia.table.add(n)
        for (const f of r.failed) {
          this.#log.warn('bootnode did not answer', {
            bootnode: f.bootnode,
            err: f.error.message,
          })
        }
      }
      if (this.#state !== 'running') return // stopped while bootstrapping
      kademlia.start()
      this.#log.info('discovery started', {
        self: `${udp.self}`,
        bootnodes: this.#bootnodes.length,
      })
    } catch (e) {
      this.#state = 'stopped'
      await this.#close()
      throw e
    }
  }

  /**
   * Resolves the host names of bootnodes (go-ethereum's `setFallbackNodes`), all at once, each
   * bounded by a timeout. A name that does not resolve is logged (`ERR_HOST_UNRESOLVED`) and
   * left out; it does not fail the start.
   */
  async #resolveBootnodes(): Promise<void> {
    const results = await Promise.allSettled(
      this.#hostBootnodes.map((t) =>
        resolveEnodeHost(t, {
          ...(this.#hostResolver && { resolver: this.#hostResolver }),
          clock: this.#clock,
          signal: this.#abort.signal,
        }),
      ),
    )
    for (const [i, r] of results.entries()) {
      if (r.status === 'fulfilled') {
        this.#bootnodes.push(r.value)
        this.#log.debug('bootnode host resolved', {
          host: this.#hostBootnodes[i]?.host,
          ip: r.value.ip,
        })
      } else if (!this.#abort.signal.aborted) {
        const e = r.reason as Error & { code?: string }
        this.#log.warn('bootnode host did not resolve', {
          host: this.#hostBootnodes[i]?.host,
          code: e.code,
          err: e.message,
        })
      }
    }
  }

  /** Our node: ID, advertised IP, UDP and TCP ports. */
  get self(): Node {
    return this.udp.self
  }

  get table(): Table {
    return this.kademlia.table
  }

  get db(): NodeDB {
    return this.#kademliaOptions.db
  }

  /** Up to `n` distinct random nodes from the table, without waiting. */
  readRandomNodes(n: number): Node[] {
    return this.kademlia.readRandomNodes(n)
  }

  /** Nodes found by random lookups, until `signal` aborts or discovery closes. */
  randomNodes(options: { signal: AbortSignal }): AsyncGenerator<Node, void, undefined> {
    return this.kademlia.randomNodes(options)
  }

  /** The node with this ID: from the table, else by a lookup; undefined if not found. */
  resolve(id: NodeId, options: LookupOptions = {}): Promise<Node | undefined> {
    return this.kademlia.resolve(id, options)
  }

  /** Asks `node` for its current record (EIP-868), bonding first if needed. */
  requestENR(node: Node, options: { signal?: AbortSignal } = {}): Promise<Enr> {
    return this.udp.requestENR(node, options)
  }

  /** Iterative lookup: the 16 closest nodes to keccak256(`target`) that answered. */
  lookup(target: NodeId, options: LookupOptions = {}): Promise<Node[]> {
    return this.kademlia.lookup(target, options)
  }

  /** The `n` table nodes closest to keccak256(`target`). */
  closest(target: NodeId, n: number): Node[] {
    return this.kademlia.closest(target, n)
  }

  /** Runs a table refresh now, or waits for the running one. */
  refresh(): Promise<void> {
    return this.kademlia.refresh()
  }

  stats(): DiscoveryStats {
    const table = this.kademlia.table
    const now = this.#clock.now()
    let bonded = 0
    let replacements = 0
    for (const b of table.buckets) {
      replacements += b.replacements.length
      for (const e of b.entries) {
        const pong = this.db.lastPongReceived(e.node.id, e.node.ip)
        if (pong > 0 && now - pong <= udpv4Defaults.bondExpirationMs) bonded++
      }
    }
    return {
      tableSize: table.size,
      buckets: table.fill(),
      replacements,
      bonded,
      dbSize: this.db.size,
    }
  }

  /** True from `start()` until `stop()`. */
  get running(): boolean {
    return this.#state === 'running'
  }

  /** Stops the loops and lookups, closes the socket, flushes and closes the DB. Idempotent. */
  async stop(): Promise<void> {
    if (this.#state === 'stopped') return
    const wasRunning = this.#state === 'running'
    this.#state = 'stopped'
    this.#abort.abort()
    await this.#starting?.catch(() => {})
    await this.#close()
    if (wasRunning) this.#log.info('discovery stopped')
  }

  /** Closes what start() opened, once. */
  #close(): Promise<void> {
    this.#shutdown ??= (async () => {
      this.#abort.abort()
      await this.#kademlia?.stop()
      await this.udp.stop()
      await this.db.close()
    })()
    return this.#shutdown
  }
}

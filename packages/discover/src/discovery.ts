import { type Clock, type Logger, noopLogger, systemClock } from '@x/core'
import { MemoryNodeDB } from './db/memory.js'
import type { NodeDB } from './db/types.js'
import type { Node, NodeId } from './node.js'
import { Kademlia } from './table/kademlia.js'
import type { LookupOptions } from './table/lookup.js'
import type { MaintenanceOptions } from './table/maintenance.js'
import type { IpLimitOptions } from './table/options.js'
import type { Table } from './table/table.js'
import { bootstrap, parseBootnode } from './udp/bootstrap.js'
import type { SntpServer } from './udp/ntp.js'
import { udpv4Defaults } from './udp/options.js'
import type { DatagramTransport } from './udp/transport.js'
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
  /** Our advertised IP (default: the bound IP, or 127.0.0.1 when bound to all interfaces). */
  ip?: string
  /** Entry points: Nodes, `enode://…` URLs or `enr:…` records. */
  bootnodes?: readonly (Node | string)[]
  /** Node database (default: in memory). `close()` closes it. */
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
 * p2p's `DialDiscovery` (`readRandomNodes`, `randomNodes`, `resolve`). Start with
 * `Discovery.start`, release with `close()`.
 */
export class Discovery {
  readonly udp: UDPv4
  readonly kademlia: Kademlia
  readonly #clock: Clock
  readonly #log: Logger
  readonly #abort = new AbortController()
  #closed = false

  private constructor(udp: UDPv4, kademlia: Kademlia, clock: Clock, log: Logger) {
    this.udp = udp
    this.kademlia = kademlia
    this.#clock = clock
    this.#log = log
  }

  /**
   * Binds the UDP socket (or takes `options.transport`), creates the table, bonds with the
   * bootnodes (resolves once each answered or timed out), and starts the maintenance loops,
   * whose first refresh runs in the background (`refresh()` waits for it). Throws a
   * `DiscoverError` for an unparsable bootnode before opening anything.
   */
  static async start(options: DiscoveryOptions): Promise<Discovery> {
    const bootnodes = (options.bootnodes ?? []).map((b) =>
      typeof b === 'string' ? parseBootnode(b) : b,
    )
    const clock = options.clock ?? systemClock
    const log = options.logger ?? noopLogger
    const db = options.db ?? new MemoryNodeDB()
    const udp = await UDPv4.listen({
      privateKey: options.privateKey,
      host: options.host,
      port: options.port,
      tcpPort: options.tcpPort,
      ip: options.ip,
      db,
      clock,
      logger: log,
      transport: options.transport,
      ntp: options.ntp,
      netrestrict: options.netrestrict,
    })
    try {
      const kademlia = new Kademlia({
        transport: udp,
        db,
        clock,
        logger: log,
        bootnodes,
        ipLimits: options.ipLimits,
        maintenance: options.maintenance,
        random: options.random,
      })
      const d = new Discovery(udp, kademlia, clock, log)
      udp.setNodeSource(kademlia.table)
      // A node that completed the endpoint proof both ways is verified: it may enter the table.
      udp.addEventListener('bonded', (e) => kademlia.table.add(e.detail.node), {
        signal: d.#abort.signal,
      })
      if (bootnodes.length > 0) {
        const r = await bootstrap(udp, bootnodes, { signal: d.#abort.signal })
        for (const n of r.bonded) kademlia.table.add(n)
        for (const f of r.failed) {
          log.warn('bootnode did not answer', { bootnode: f.bootnode, error: f.error.message })
        }
      }
      kademlia.start()
      log.info('discovery started', { self: `${udp.self}`, bootnodes: bootnodes.length })
      return d
    } catch (e) {
      await udp.close()
      throw e
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
    return this.kademlia.db
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

  /** True from `start` until `close()` is called. */
  get running(): boolean {
    return !this.#closed
  }

  /** Stops the loops and lookups, closes the socket, flushes and closes the DB. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.#abort.abort()
    await this.kademlia.stop()
    await this.udp.close()
    await this.db.close()
    this.#log.info('discovery closed')
  }
}

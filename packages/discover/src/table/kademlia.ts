import { type Clock, type Logger, noopLogger, systemClock } from '@x/core'
import { MemoryNodeDB } from '../db/memory.js'
import type { NodeDB } from '../db/types.js'
import { DiscoverError } from '../errors.js'
import type { Node, NodeId } from '../node.js'
import type { DiscoveryTransport } from '../transport.js'
import type { TableContext } from './context.js'
import { randomNodes } from './iterator.js'
import { type LookupOptions, lookup, resolve } from './lookup.js'
import { type MaintenanceOptions, TableMaintenance } from './maintenance.js'
import type { IpLimitOptions } from './options.js'
import { Table } from './table.js'
import { NodeVerifier } from './verifier.js'

export interface KademliaOptions {
  /** The wire protocol (UDPv4, or a fake in tests); its `self` is our node. */
  transport: DiscoveryTransport
  /** Node database (default: a new MemoryNodeDB). */
  db?: NodeDB
  clock?: Clock
  logger?: Logger
  /** Always-known entry points, used by every refresh and when the table is empty. */
  bootnodes?: readonly Node[]
  ipLimits?: IpLimitOptions
  /** Random source for shuffles, targets and timers (seed it in simulations). */
  random?: () => number
  maintenance?: MaintenanceOptions
  /** Pings to newly seen nodes in flight at most (default 64). */
  maxPendingPings?: number
}

/**
 * The Kademlia node table at work: the `Table`, lookups over a `DiscoveryTransport`, the DB, and
 * the maintenance loops. Satisfies p2p's `DialDiscovery` (`readRandomNodes`, `randomNodes`,
 * `resolve`) and UDPv4's `NodeSource` (`closest`). Construct, then `start()`; `stop()` releases
 * every timer and aborts every lookup it started.
 */
export class Kademlia {
  readonly table: Table
  readonly db: NodeDB
  readonly #ctx: TableContext
  readonly #maintenance: TableMaintenance
  readonly #verifier: NodeVerifier
  #stopped = new AbortController()

  constructor(options: KademliaOptions) {
    const clock = options.clock ?? systemClock
    const logger = options.logger ?? noopLogger
    this.db = options.db ?? new MemoryNodeDB()
    this.table = new Table({
      self: options.transport.self,
      clock,
      logger,
      ipLimits: options.ipLimits,
      random: options.random,
    })
    this.#verifier = new NodeVerifier(
      this.table,
      options.transport,
      logger,
      options.maxPendingPings,
      { db: this.db, clock },
    )
    this.#ctx = {
      table: this.table,
      transport: options.transport,
      db: this.db,
      clock,
      logger,
      verifier: this.#verifier,
      bootnodes: options.bootnodes ?? [],
    }
    this.#maintenance = new TableMaintenance(this.#ctx, options.maintenance)
  }

  get self(): Node {
    return this.table.self
  }

  /** Starts revalidation, refresh (one now) and the copy of live nodes to the DB. */
  start(): void {
    if (this.#stopped.signal.aborted) throw new DiscoverError('ERR_CLOSED', 'table stopped')
    this.#maintenance.start()
  }

  /** Runs a refresh now (seeds, self lookup, 3 random lookups), or joins the running one. */
  refresh(): Promise<void> {
    return this.#maintenance.refresh()
  }

  /** Iterative lookup of `target`: the 16 closest nodes found that answered, closest first. */
  lookup(target: NodeId, options: LookupOptions = {}): Promise<Node[]> {
    return lookup(this.#ctx, target, { signal: this.#signal(options.signal) })
  }

  /** The node with this ID: from the table, else found by a lookup; undefined if not found. */
  resolve(id: NodeId, options: LookupOptions = {}): Promise<Node | undefined> {
    return resolve(this.#ctx, id, { signal: this.#signal(options.signal) })
  }

  /** Nodes found by random lookups, endless until `signal` aborts or the table stops. */
  randomNodes(options: { signal: AbortSignal }): AsyncGenerator<Node, void, undefined> {
    return randomNodes(this.#ctx, { signal: this.#signal(options.signal) })
  }

  /** Up to `n` distinct random nodes from the table, without waiting. */
  readRandomNodes(n: number): Node[] {
    return this.table.readRandomNodes(n)
  }

  /** The `n` table nodes closest to keccak256(`target`). */
  closest(target: NodeId, n: number): Node[] {
    return this.table.closest(target, n)
  }

  /** Waits for the pings to newly seen nodes in flight (tests). */
  settle(): Promise<void> {
    return this.#verifier.settle()
  }

  /** Stops the loops, aborts lookups and pings in flight. Does not close the transport or DB. */
  async stop(): Promise<void> {
    this.#stopped.abort(new DiscoverError('ERR_CLOSED', 'table stopped'))
    this.#verifier.stop()
    await this.#maintenance.stop()
  }

  #signal(signal: AbortSignal | undefined): AbortSignal {
    return signal ? AbortSignal.any([signal, this.#stopped.signal]) : this.#stopped.signal
  }
}

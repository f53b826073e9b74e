import type { Clock, Logger } from '@x/core'
import type { EnodeHost, HostResolver, Node, NodeId } from '@x/discover'
import type { DialDiscovery } from './discovery.js'
import type { DialFilter } from './filter.js'
import type { DialSource } from './mix.js'

/** What can be dialed: a Node, or an enode URL with a host name, resolved before each dial. */
export type DialTarget = Node | EnodeHost

/** Why a dial was made: static nodes are kept connected; dynamic ones fill free slots. */
export type DialKind = 'static' | 'dynamic'

export const dialDefaults = {
  /** Dials in flight at once (go-ethereum's `maxActiveDialTasks`). */
  maxActiveDials: 16,
  /**
   * Record requests in flight when a dial filter checks discovered nodes (go-ethereum's
   * `maxParallelENRRequests`).
   */
  maxParallelRecordRequests: 16,
  /** A node is not redialed within this time of the last attempt. */
  historyExpiration: 35_000,
  /** Bootnodes are dialed when we have no peers this long after start, and as often again. */
  bootnodeFallbackDelay: 20_000,
  /** First and maximum delay between re-resolutions of a failing static node. */
  initialResolveDelay: 60_000,
  maxResolveDelay: 3_600_000,
  /** A host name lookup before a dial at most this long. */
  resolveTimeout: 5_000,
  /** Bounds of the history and static sets. */
  maxHistory: 4096,
  maxStatic: 1024,
  /** After this many undialable candidates in a row, the lookup pump pauses… */
  pumpSkipLimit: 32,
  /** …for this long, or until a slot frees. */
  pumpBackoff: 1_000,
} as const

export interface DialSchedulerOptions {
  /** Our node ID: never dialed. */
  self: NodeId
  /** Dynamic dialed peers wanted (maxPeers / dialRatio). 0 disables dynamic dialing. */
  maxDialPeers: number
  /**
   * Connects to `node` and sets up the peer; resolves once the peer is added, rejects when any
   * step fails. The scheduler learns of the peer's life through `peerAdded`/`peerRemoved`.
   */
  dial(node: Node, kind: DialKind, signal: AbortSignal): Promise<void>
  discovery?: DialDiscovery
  /** More candidate streams (DNS discovery), mixed fairly with discovery's lookups. */
  sources?: readonly DialSource[]
  /** Dialed when we have no peers; host names are resolved before the dial. */
  bootnodes?: readonly DialTarget[]
  /** Resolves host names of static nodes and bootnodes (default: the system resolver). */
  hostResolver?: HostResolver
  /** Dial candidates for which this is false are skipped (net restriction). */
  allowed?: (node: Node) => boolean
  /**
   * Discovered nodes are dialed only when their record passes (go-ethereum's eth node filter);
   * records are requested through `discovery.requestENR`. Static nodes and bootnodes are not
   * filtered.
   */
  filter?: DialFilter
  clock?: Clock
  logger?: Logger
  maxActiveDials?: number
  historyExpiration?: number
  bootnodeFallbackDelay?: number
  initialResolveDelay?: number
  maxResolveDelay?: number
}

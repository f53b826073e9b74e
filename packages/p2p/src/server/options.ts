import { type Clock, type Logger, Netlist, noopLogger, systemClock } from '@x/core'
import type {
  EnodeHost,
  HostResolver,
  IpLimitOptions,
  IpTrackerOptions,
  MaintenanceOptions,
  Node,
  SntpServer,
} from '@x/discover'
import type { DialDiscovery } from '../dial/discovery.js'
import type { DialFilter } from '../dial/filter.js'
import type { DialSource } from '../dial/mix.js'
import type { DialSchedulerOptions } from '../dial/options.js'
import { type DisconnectReason, P2PError } from '../errors.js'
import type { MsgEvent, MsgEventSink } from '../message.js'
import type { Nat } from '../nat/nat.js'
import { helloTimeout } from '../peer/handshake.js'
import type { Peer } from '../peer/peer.js'
import { idleTimeout, pingInterval } from '../peer/peer.js'
import type { Protocol } from '../protocol.js'
import { toNodes } from './discovery.js'
import type { Network } from './network.js'

export const serverDefaults = {
  name: 'x-devp2p/v0.1.0',
  maxPeers: 50,
  maxPendingPeers: 50,
  /** Of those, from one address (LAN included). */
  maxPendingPerIp: 8,
  dialRatio: 3,
  listenAddress: { ip: '0.0.0.0', port: 30303 },
  /** Connect plus encryption handshake of a dial. */
  dialTimeout: 15_000,
  /** Encryption handshake of an inbound connection. */
  handshakeTimeout: 5_000,
  helloTimeout,
  pingInterval,
  idleTimeout,
  /** One non-LAN IP may not connect again within this time. */
  inboundThrottleTime: 30_000,
  /** Bound of the trusted set (the static set is bounded by the dial scheduler). */
  maxTrusted: 1024,
} as const

/**
 * Discovery v4 run by the server itself (go-ethereum's `DiscoveryV4` with `NodeDatabase`):
 * `start()` opens the node database, binds the UDP socket on the listen IP, bonds with the
 * bootnodes and feeds the dialer; `stop()` disconnects the peers, then closes discovery (which
 * flushes and closes the database).
 */
export interface DiscoveryV4Config {
  /**
   * UDP port to bind. Default: the listen port when it is fixed (30303 → UDP 30303, as
   * go-ethereum), else 0 (any free port; read it back from `server.discovery.self.udp`).
   */
  port?: number
  /**
   * Directory of the LevelDB node database (node-app: `<datadir>/nodes`); a restart on the same
   * path starts from the nodes it knew. In memory, forgotten on stop, when absent.
   */
  nodeDatabase?: string
  /** Table maintenance timing (revalidation, refresh, seed copies); discover's defaults otherwise. */
  maintenance?: MaintenanceOptions
  /** SNTP server of the clock-drift check (default pool.ntp.org); false disables it. */
  ntp?: SntpServer | false
  /** Table IP limits per bucket and table (discover's defaults otherwise). */
  ipLimits?: IpLimitOptions
  /** Endpoint prediction from Pongs (go-ethereum's IP tracker constants otherwise). */
  ipTracker?: IpTrackerOptions
}

/**
 * Discovery v5 run by the server beside v4, on v4's UDP socket (go-ethereum's `DiscoveryV5`):
 * packets v4 cannot decode go to v5, both advertise one record, and v5's random lookups feed the
 * dialer beside v4's. Needs `discoveryV4`.
 */
export interface DiscoveryV5Config {
  /** v5 entry points: `enr:…` records (discv5 needs a node's record to talk to it). */
  bootnodes?: readonly string[]
}

export interface ServerOptions {
  /** Our node key (32 bytes). */
  privateKey: Uint8Array
  /** Client id sent in the hello. */
  name?: string
  maxPeers?: number
  /**
   * Inbound connections in the handshake phase at once; when all are taken, a connection from
   * an address holding fewer than the most represented one displaces that one's oldest, others
   * are closed at once.
   */
  maxPendingPeers?: number
  /** Inbound connections in the handshake phase from one address, LAN included (default 8). */
  maxPendingPerIp?: number
  /** One in `dialRatio` of `maxPeers` is dialed by us; the rest are inbound slots. */
  dialRatio?: number
  /** Where to listen; `null` to not listen. */
  listenAddress?: { ip: string; port: number } | null
  /** Dial nobody (not even static nodes): accept inbound peers only. */
  noDial?: boolean
  /** Run no discovery and ignore `discovery`: dial static nodes and bootnodes only. */
  noDiscovery?: boolean
  /**
   * Where dynamic dial candidates come from (the Kademlia table or the Discovery facade), when
   * the application runs discovery itself. Exclusive with `discoveryV4`.
   */
  discovery?: DialDiscovery
  /**
   * Run discovery v4 inside the server (see {@link DiscoveryV4Config}; `{}` for the defaults).
   * Ignored with `noDiscovery`; exclusive with `discovery`.
   */
  discoveryV4?: DiscoveryV4Config
  /** Run discovery v5 too, on discovery v4's socket (see {@link DiscoveryV5Config}). */
  discoveryV5?: DiscoveryV5Config
  /**
   * Discovery's entry points, also dialed when we have no peers 20 s after start (and every
   * 20 s while we have none): Nodes, `enode://…` URLs (the host may be a DNS name) or `enr:…`
   * records.
   */
  bootnodes?: readonly (Node | EnodeHost | string)[]
  /**
   * Kept connected, outside the dynamic slots, and always admitted. An `EnodeHost` (a URL with a
   * host name, from `parseEnodeTarget`) is resolved before every dial.
   */
  staticNodes?: readonly (Node | EnodeHost)[]
  /**
   * More dial candidates beside discovery's lookups, fairly mixed (DNS discovery:
   * `(o) => dnsNodes(client, urls, o)`). Used also with `noDiscovery` only if given
   * explicitly; node-app gives none then, as geth's `--nodiscover` disables DNS too.
   */
  dialSources?: readonly DialSource[]
  /** Resolves host names in bootnodes and static nodes (default: the system resolver, 5 s). */
  hostResolver?: HostResolver
  /** Always admitted, even when the server is full. */
  trustedNodes?: readonly Node[]
  protocols?: readonly Protocol[]
  /**
   * IP allow-list (`--netrestrict`): other IPs are neither dialed nor accepted (nor, with
   * `discoveryV4`, taken from Neighbors). CIDRs, or core's `Netlist`; an empty list is no
   * restriction.
   */
  netRestrict?: readonly string[] | Netlist
  /** Emit `message:sent`/`message:received` for every message (metrics). */
  messageEvents?: boolean
  /** Called for every message sent and received (a cheaper sink than the events). */
  onMessage?: MsgEventSink
  /** The network: RLPx over TCP by default. */
  network?: Network
  /**
   * The IP put in our enode URL (`nodeInfo`); default `discovery.self.ip` when discovery runs,
   * else the listen IP (127.0.0.1 for a wildcard listener).
   */
  externalIp?: string
  /** Default: `discovery.self.udp` when discovery runs, else the TCP port. */
  discoveryPort?: number
  /**
   * NAT traversal (go-ethereum's `Server.NAT`, `--nat`): `extIp(ip)` advertises that IP from the
   * start (it is never bound); UPnP / NAT-PMP / any ask the gateway in the background after
   * start, then advertise its external IP and map our ports. Without it the advertised IP is
   * predicted from Pongs. `stop()` closes it (the mappings are deleted).
   */
  nat?: Nat
  /**
   * Our node record in text form for `nodeInfo().enr`, e.g. `() => discovery.udp.enr.toText()`.
   * Default: the record of the running `Discovery` (its own with `discoveryV4`).
   */
  enr?: () => string | undefined
  clock?: Clock
  logger?: Logger
  dialTimeout?: number
  handshakeTimeout?: number
  helloTimeout?: number
  pingInterval?: number
  idleTimeout?: number
  inboundThrottleTime?: number
  /**
   * Dial discovered nodes only when their record passes this (go-ethereum's eth node filter,
   * `dialFilter` of @x/eth's `EthService`): each candidate's record is requested first.
   */
  dialFilter?: DialFilter
  /** Dial scheduler tuning (history, bootnode delay, concurrency); `dialDefaults` otherwise. */
  dialer?: Partial<
    Pick<
      DialSchedulerOptions,
      | 'maxActiveDials'
      | 'historyExpiration'
      | 'bootnodeFallbackDelay'
      | 'initialResolveDelay'
      | 'maxResolveDelay'
    >
  >
}

/** A step of connection setup (go-ethereum's `setupConn`). */
export type SetupStage = 'enc' | 'proto' | 'checks'

/** Events of the server; `detail` types. */
export interface ServerEvents extends Record<string, unknown> {
  'peer:added': { peer: Peer }
  'peer:removed': { peer: Peer; reason: DisconnectReason; remote: boolean; error?: unknown }
  /** A connection that did not become a peer (refused, failed handshake, rejected). */
  'conn:failed': {
    inbound: boolean
    remoteAddress: { ip: string; port: number }
    /** The remote's ID (hex) when it was known. */
    id?: string
    /** The Disconnect reason when one was sent or received. */
    reason?: DisconnectReason
    /**
     * Where setup stopped: `enc` the connection and encryption handshake, `proto` the hello,
     * `checks` the checks after either (unset when refused before setup, e.g. throttled).
     */
    stage?: SetupStage
    error: unknown
  }
  /**
   * A connection passed both handshakes (it becomes a peer unless a later check refuses it):
   * how long the encryption handshake (with the TCP connect for a dial) and the hello took, ms.
   */
  'conn:handshake': { inbound: boolean; encMs: number; protoMs: number }
  'message:sent': MsgEvent
  'message:received': MsgEvent
}

type DialerTuning = NonNullable<ServerOptions['dialer']>

/**
 * {@link ServerOptions} with every default of {@link serverDefaults} applied, bootnodes parsed
 * and the net restriction built: made once, by the constructor, and read everywhere else.
 */
export interface ResolvedServerOptions {
  readonly privateKey: Uint8Array
  readonly name: string
  readonly maxPeers: number
  readonly maxPendingPeers: number
  readonly maxPendingPerIp: number
  readonly dialRatio: number
  readonly listenAddress: { ip: string; port: number } | null
  readonly noDial: boolean
  readonly noDiscovery: boolean
  /** The given discovery; undefined with `noDiscovery`. */
  readonly discovery: DialDiscovery | undefined
  /** The discovery v4 to run; undefined with `noDiscovery`. */
  readonly discoveryV4: DiscoveryV4Config | undefined
  /** The discovery v5 to run beside v4; undefined without `discoveryV4`. */
  readonly discoveryV5: DiscoveryV5Config | undefined
  readonly bootnodes: readonly (Node | EnodeHost)[]
  readonly staticNodes: readonly (Node | EnodeHost)[]
  readonly dialSources: readonly DialSource[]
  readonly hostResolver: HostResolver | undefined
  readonly trustedNodes: readonly Node[]
  readonly protocols: readonly Protocol[]
  readonly netRestrict: Netlist | undefined
  readonly messageEvents: boolean
  readonly onMessage: MsgEventSink | undefined
  readonly network: Network | undefined
  readonly externalIp: string | undefined
  readonly discoveryPort: number | undefined
  readonly nat: Nat | undefined
  readonly enr: (() => string | undefined) | undefined
  readonly clock: Clock
  readonly logger: Logger
  readonly dialTimeout: number
  readonly handshakeTimeout: number
  readonly helloTimeout: number
  readonly pingInterval: number
  readonly idleTimeout: number
  readonly inboundThrottleTime: number
  readonly dialFilter: DialFilter | undefined
  readonly dialer: DialerTuning
}

/**
 * Resolves `o` against {@link serverDefaults}. Throws on what cannot work: a malformed CIDR
 * (`CoreError` `ERR_INVALID_CIDR`), a bootnode text that does not parse, both `discovery` and `discoveryV4`
 * (`ERR_DISCOVERY_CONFLICT`).
 */
export function resolveServerOptions(o: ServerOptions): ResolvedServerOptions {
  const d = serverDefaults
  const noDiscovery = o.noDiscovery ?? false
  const netRestrict =
    o.netRestrict instanceof Netlist
      ? o.netRestrict
      : o.netRestrict?.length
        ? new Netlist(o.netRestrict)
        : undefined
  const bootnodes = toNodes(o.bootnodes ?? [])
  if (o.discovery && o.discoveryV4 && !noDiscovery) {
    throw new P2PError(
      'ERR_DISCOVERY_CONFLICT',
      'give either discovery (run by the application) or discoveryV4 (run by the server)',
    )
  }
  return {
    privateKey: o.privateKey,
    name: o.name ?? d.name,
    maxPeers: o.maxPeers ?? d.maxPeers,
    maxPendingPeers: o.maxPendingPeers ?? d.maxPendingPeers,
    maxPendingPerIp: o.maxPendingPerIp ?? d.maxPendingPerIp,
    dialRatio: o.dialRatio ?? d.dialRatio,
    listenAddress: o.listenAddress === undefined ? d.listenAddress : o.listenAddress,
    noDial: o.noDial ?? false,
    noDiscovery,
    discovery: noDiscovery ? undefined : o.discovery,
    discoveryV4: noDiscovery ? undefined : o.discoveryV4,
    discoveryV5: noDiscovery || !o.discoveryV4 ? undefined : o.discoveryV5,
    bootnodes,
    staticNodes: o.staticNodes ?? [],
    dialSources: o.dialSources ?? [],
    hostResolver: o.hostResolver,
    trustedNodes: o.trustedNodes ?? [],
    protocols: o.protocols ?? [],
    netRestrict,
    messageEvents: o.messageEvents ?? false,
    onMessage: o.onMessage,
    network: o.network,
    externalIp: o.externalIp,
    discoveryPort: o.discoveryPort,
    nat: o.nat,
    enr: o.enr,
    clock: o.clock ?? systemClock,
    logger: o.logger ?? noopLogger,
    dialTimeout: o.dialTimeout ?? d.dialTimeout,
    dialFilter: o.dialFilter,
    handshakeTimeout: o.handshakeTimeout ?? d.handshakeTimeout,
    helloTimeout: o.helloTimeout ?? d.helloTimeout,
    pingInterval: o.pingInterval ?? d.pingInterval,
    idleTimeout: o.idleTimeout ?? d.idleTimeout,
    inboundThrottleTime: o.inboundThrottleTime ?? d.inboundThrottleTime,
    dialer: o.dialer ?? {},
  }
}

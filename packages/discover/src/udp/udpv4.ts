import {
  type Clock,
  equalBytes,
  type Logger,
  noopLogger,
  type RlpInput,
  systemClock,
  TypedEventTarget,
  toHex,
} from '@x/core'
import { MemoryNodeDB } from '../db/memory.js'
import type { NodeDB } from '../db/types.js'
import type { Enr } from '../enr/enr.js'
import { DiscoverError, PacketError } from '../errors.js'
import { type Node, type NodeId, nodeIdFromPrivateKey } from '../node.js'
import type { DiscoveryTransport, NodeSource } from '../transport.js'
import { decodePacket, hasPacketHash } from '../wire/packet.js'
import { Admission, admissionDefaults } from './admission.js'
import { Bonds } from './bonds.js'
import type { UDPv4Context } from './context.js'
import { bindUdp } from './dgram.js'
import { ClockDriftCheck } from './drift.js'
import { PacketHandlers } from './handlers.js'
import { LocalNode } from './local-node.js'
import { ntpDefaults } from './ntp.js'
import {
  checkUDPv4Options,
  type DropReason,
  type PacketName,
  type UDPv4Events,
  type UDPv4Options,
  type UDPv4Stats,
  udpv4Defaults,
} from './options.js'
import { PendingReplies } from './pending.js'
import { Requests } from './requests.js'
import { PacketSender } from './sender.js'
import { PacketStats } from './stats.js'
import type { DatagramTransport, UdpAddress } from './transport.js'
import { PingWaiters } from './waiters.js'

export {
  type DropReason,
  type PacketName,
  type UDPv4Events,
  type UDPv4Options,
  type UDPv4Stats,
  udpv4Defaults,
}

/**
 * The Node Discovery v4 protocol over UDP (go-ethereum's `UDPv4`): answers Ping, FindNode and
 * ENRRequest, enforces the endpoint proof, and implements the `DiscoveryTransport` the table uses.
 * Construct, then `start()` (binds the socket, or takes `options.transport`); `stop()` releases it.
 * The parts live beside it: `Requests` (outgoing), `PacketHandlers` (incoming), `PacketSender`.
 */
export class UDPv4 extends TypedEventTarget<UDPv4Events> implements DiscoveryTransport {
  readonly #key: Uint8Array
  readonly #id: NodeId
  readonly #options: UDPv4Options
  #transport: DatagramTransport | undefined
  readonly #clock: Clock
  readonly #log: Logger
  readonly #pending: PendingReplies
  /** Bond waiters: resolved when the node pings us. Keyed by id|ip. */
  readonly #pingWaiters: PingWaiters
  // Set by start(): the advertised endpoint includes the bound port.
  #localNode: LocalNode | undefined
  #source: NodeSource | undefined
  #state: 'new' | 'running' | 'stopped' = 'new'
  #starting: Promise<void> | undefined
  readonly #drift: ClockDriftCheck
  readonly #counters = new PacketStats()
  readonly #sender: PacketSender
  readonly #requests: Requests
  readonly #handlers: PacketHandlers
  readonly #admission: Admission | undefined
  /** Counters for monitoring, updated in place. */
  readonly stats: UDPv4Stats = this.#counters.counters

  /**
   * Checks the options; opens nothing. Throws `ERR_INVALID_PRIVATE_KEY`, `ERR_INVALID_PORT` or
   * core's `ERR_INVALID_IP` for what cannot work.
   */
  constructor(options: UDPv4Options) {
    super()
    checkUDPv4Options(options)
    this.#options = options
    this.#key = options.privateKey
    this.#id = nodeIdFromPrivateKey(options.privateKey)
    const db: NodeDB = options.db ?? new MemoryNodeDB()
    this.#clock = options.clock ?? systemClock
    this.#log = options.logger ?? noopLogger
    this.#drift = new ClockDriftCheck(
      this.#clock,
      options.ntp ?? ntpDefaults.server,
      this.#log,
      (offsetMs) => this.emit('clock:drift', { offsetMs }),
    )
    this.#pending = new PendingReplies(this.#clock, udpv4Defaults.maxPending)
    this.#pingWaiters = new PingWaiters(this.#clock, udpv4Defaults.maxPending)
    this.#sender = new PacketSender(this.#key, this.#counters)
    const respTimeoutMs = options.respTimeoutMs ?? udpv4Defaults.respTimeoutMs
    const bondExpirationMs = options.bondExpirationMs ?? udpv4Defaults.bondExpirationMs
    if (options.admission !== false) {
      const admission = new Admission(
        {
          ...admissionDefaults,
          // Injected transports deliver on their own schedule: no slices unless asked for.
          ...(options.transport && { sliceMs: 0 }),
          ...options.admission,
        },
        this.#clock,
        (data, from) => this.#process(data, from),
        (reason) => this.#counters.drop(reason),
      )
      this.#admission = admission
      this.stats.admission = admission.stats
    }
    const ctx: UDPv4Context = {
      id: this.#id,
      clock: this.#clock,
      log: this.#log,
      db,
      respTimeoutMs,
      netrestrict: options.netrestrict ?? (() => true),
      bonds: new Bonds(db, this.#clock, bondExpirationMs),
      pending: this.#pending,
      pingWaiters: this.#pingWaiters,
      drift: this.#drift,
      counters: this.#counters,
      sender: this.#sender,
      source: () => this.#source,
      local: () => this.#local(),
      assertOpen: () => this.#assertOpen(),
      emit: (type, detail) => this.emit(type, detail),
      // Neighbors may trail the first reply: replies are expected for twice the timeout.
      expectReply: (ip, port, replies) =>
        this.#admission?.expectReply(ip, port, this.#clock.now() + 2 * respTimeoutMs, replies),
      markBonded: (ip, port) =>
        this.#admission?.markBonded(ip, port, this.#clock.now() + bondExpirationMs),
      admitRequest: (id) => this.#admission?.admitRequest(toHex(id)) ?? true,
    }
    this.#requests = new Requests(ctx)
    this.#handlers = new PacketHandlers(ctx, this.#requests)
  }

  /**
   * Binds the socket (or takes `options.transport`), makes our record and starts answering
   * packets. Once only: concurrent calls share one start, and a stopped UDPv4 does not start.
   */
  start(): Promise<void> {
    this.#starting ??= this.#start()
    return this.#starting
  }

  async #start(): Promise<void> {
    if (this.#state !== 'new') return
    const options = this.#options
    const transport =
      options.transport ??
      (await bindUdp({
        host: options.host ?? '0.0.0.0',
        port: options.port ?? 0,
        recvBufferSize: options.recvBufferSize ?? udpv4Defaults.recvBufferSize,
      }))
    if (this.#state !== 'new') {
      // stop() came while the socket was being bound: close what this start opened.
      if (!options.transport) await transport.close()
      return
    }
    try {
      this.#localNode = new LocalNode(this.#key, {
        id: this.#id,
        bound: transport.address,
        ...(options.tcpPort !== undefined && { tcp: options.tcpPort }),
        ...(options.ip !== undefined && { staticIp: options.ip }),
        seq: options.enrSeq ?? BigInt(Math.trunc(this.#clock.now())),
        clock: this.#clock,
        ...(options.ipTracker && { tracker: options.ipTracker }),
        onChange: (local) => this.#endpointChanged(local),
      })
    } catch (err) {
      // Bad options: the socket this call bound is closed again.
      if (!options.transport) await transport.close()
      throw err
    }
    this.#transport = transport
    if (transport.recvBufferSize !== undefined) this.stats.recvBufferSize = transport.recvBufferSize
    this.#sender.open(transport)
    this.#state = 'running'
    transport.onMessage((data, from) => this.#onDatagram(data, from))
    transport.onError((e) => this.#log.debug('udp send error', { err: e.message }))
  }

  /** Our node: ID, advertised IP, bound UDP port and TCP port (known once started). */
  get self(): Node {
    return this.#local().node
  }

  /** Our current node record (served in ENRResponse; its seq goes in our Pings and Pongs). */
  get enr(): Enr {
    return this.#local().enr
  }

  /** Where FindNode answers come from (the table); until set, FindNode gets an empty Neighbors. */
  setNodeSource(source: NodeSource): void {
    this.#source = source
  }

  /** Our advertised IPv6 endpoint beside the IPv4 one (the record's `ip6`), when we have one. */
  get self6(): { ip: string; udp: number } | undefined {
    return this.#local().ip6
  }

  /**
   * Changes our advertised endpoint: `ip` becomes the static IP of its family (go-ethereum's
   * `SetStaticIP`, e.g. from a NAT gateway), `tcp` the TCP port. The record is re-signed with
   * seq + 1 when it changes, and `endpoint:changed` fires.
   */
  updateEndpoint(endpoint: { ip?: string; tcp?: number }): void {
    this.#local().updateEndpoint(endpoint)
  }

  /**
   * Adds or replaces record entries other than the identity and endpoint ones (e.g. `eth` with
   * the EIP-2124 fork id); the record is re-signed with seq + 1.
   */
  setEnrEntries(entries: Record<string, RlpInput>): void {
    this.#local().setEntries(entries)
  }

  // ---- outgoing requests ----

  /** Pings `node` and resolves on its Pong (an endpoint proof for the node). */
  ping(node: Node, options: { signal?: AbortSignal } = {}): Promise<{ enrSeq?: bigint }> {
    return this.#requests.ping(node, options.signal)
  }

  /**
   * Bonds with `node`: pings it unless it pinged us within the bond lifetime, then waits up to
   * the response timeout for its ping back (so it accepts our FindNode/ENRRequest).
   */
  bond(node: Node, options: { signal?: AbortSignal; force?: boolean } = {}): Promise<void> {
    return this.#requests.bond(node, options)
  }

  /** Asks `node` for the nodes closest to `target`, bonding first if needed (up to 16 nodes). */
  findnode(node: Node, target: NodeId, options: { signal?: AbortSignal } = {}): Promise<Node[]> {
    return this.#requests.findnode(node, target, options.signal)
  }

  /** Asks `node` for its current record (EIP-868), bonding first if needed. */
  requestENR(node: Node, options: { signal?: AbortSignal } = {}): Promise<Enr> {
    return this.#requests.requestENR(node, options.signal)
  }

  /** Queries the SNTP server now; returns the local clock's offset in ms and warns above 10 s. */
  checkClock(): Promise<number> {
    return this.#drift.check()
  }

  /** Stops answering, fails pending requests, closes the socket. Idempotent. */
  async stop(): Promise<void> {
    if (this.#state === 'stopped') return
    this.#state = 'stopped'
    this.#sender.close()
    this.#admission?.stop()
    // A start in flight sees the state and closes its socket itself.
    await this.#starting?.catch(() => {})
    this.#drift.stop()
    this.#pending.failAll(new DiscoverError('ERR_CLOSED', 'UDPv4 stopped'))
    this.#pingWaiters.wakeAll()
    await this.#transport?.close()
  }

  // ---- incoming packets ----

  #onDatagram(data: Uint8Array, from: UdpAddress): void {
    if (this.#state !== 'running') return
    this.#counters.received(data.length)
    // No discv4 hash: not a discv4 packet; discv5's when it shares the socket (go-ethereum hands
    // what v4 cannot decode to its `Unhandled` channel). v5 has its own rate limits.
    const unhandled = this.#options.unhandled
    if (unhandled && !hasPacketHash(data)) {
      unhandled(data, from)
      return
    }
    if (this.#admission) this.#admission.receive(data, from)
    else this.#process(data, from)
  }

  /** Decodes and handles one admitted datagram. */
  #process(data: Uint8Array, from: UdpAddress): void {
    if (this.#state !== 'running') return
    try {
      const { packet, hash, fromId } = decodePacket(data)
      this.#counters.decoded(packet.type)
      if (equalBytes(fromId, this.#id)) {
        this.#counters.drop('self')
        return
      }
      this.#handlers.handle(packet, hash, fromId, from)
    } catch (e) {
      // Nothing leaves the socket handler: a decoding failure (PacketError) is counted by its
      // code, anything else as ERR_INTERNAL.
      const code: DropReason = e instanceof DiscoverError ? e.code : 'ERR_INTERNAL'
      this.#counters.drop(code)
      try {
        this.#log.debug('dropped packet', {
          from: `${from.ip}:${from.port}`,
          code,
          err: e instanceof Error ? e.message : String(e),
          ...(e instanceof PacketError && e.field !== undefined && { field: e.field }),
        })
      } catch {}
    }
  }

  #endpointChanged(local: LocalNode): void {
    this.#log.debug('advertised endpoint changed', { node: `${local.node}`, seq: local.enr.seq })
    this.emit('endpoint:changed', {
      node: local.node,
      enr: local.enr,
      pongs: this.stats.pongs,
      statements: local.statements.v4 + local.statements.v6,
    })
  }

  /** Our node, known once a start bound the socket (also after a later stop). */
  #local(): LocalNode {
    if (this.#localNode === undefined) {
      throw new DiscoverError('ERR_NOT_STARTED', 'UDPv4 not started')
    }
    return this.#localNode
  }

  #assertOpen(): void {
    if (this.#state === 'stopped') throw new DiscoverError('ERR_CLOSED', 'UDPv4 stopped')
    this.#local()
  }
}

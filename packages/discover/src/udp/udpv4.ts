import {
  type Clock,
  checkRelayIp,
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
import { DiscoverError, type PacketError } from '../errors.js'
import { Node, type NodeId, nodeIdFromPrivateKey } from '../node.js'
import type { DiscoveryTransport, NodeSource } from '../transport.js'
import { decodePacket, encodePacket } from '../wire/packet.js'
import { type Endpoint, type Packet, PacketType } from '../wire/types.js'
import { Bonds } from './bonds.js'
import { bindUdp } from './dgram.js'
import { ClockDriftCheck } from './drift.js'
import { LocalNode } from './local-node.js'
import { ntpDefaults } from './ntp.js'
import {
  checkUDPv4Options,
  type PacketName,
  type UDPv4Events,
  type UDPv4Options,
  type UDPv4Stats,
  udpv4Defaults,
} from './options.js'
import {
  enrRequestPacket,
  enrResponsePacket,
  findNodePacket,
  neighborsPackets,
  pingPacket,
  pongPacket,
} from './packets.js'
import { PendingReplies } from './pending.js'
import {
  enrMatcher,
  neighborsMatcher,
  pongMatcher,
  type ReplyKind,
  type ReplyMatcher,
  replyKey,
  replyKind,
} from './replies.js'
import { PacketStats } from './stats.js'
import type { DatagramTransport, UdpAddress } from './transport.js'
import { PingWaiters } from './waiters.js'

export { type PacketName, type UDPv4Events, type UDPv4Options, type UDPv4Stats, udpv4Defaults }

/**
 * The Node Discovery v4 protocol over UDP (go-ethereum's `UDPv4`): answers Ping, FindNode and
 * ENRRequest, enforces the endpoint proof, and implements the `DiscoveryTransport` the table uses.
 * Construct, then `start()` (binds the socket, or takes `options.transport`); `stop()` releases it.
 */
export class UDPv4 extends TypedEventTarget<UDPv4Events> implements DiscoveryTransport {
  readonly #key: Uint8Array
  readonly #id: NodeId
  readonly #options: UDPv4Options
  #transport: DatagramTransport | undefined
  readonly #db: NodeDB
  readonly #clock: Clock
  readonly #log: Logger
  readonly #respTimeout: number
  readonly #bonds: Bonds
  readonly #netrestrict: (ip: string) => boolean
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
    this.#db = options.db ?? new MemoryNodeDB()
    this.#clock = options.clock ?? systemClock
    this.#log = options.logger ?? noopLogger
    this.#respTimeout = options.respTimeoutMs ?? udpv4Defaults.respTimeoutMs
    this.#bonds = new Bonds(
      this.#db,
      this.#clock,
      options.bondExpirationMs ?? udpv4Defaults.bondExpirationMs,
    )
    this.#netrestrict = options.netrestrict ?? (() => true)
    this.#drift = new ClockDriftCheck(
      this.#clock,
      options.ntp ?? ntpDefaults.server,
      this.#log,
      (offsetMs) => this.emit('clock:drift', { offsetMs }),
    )
    this.#pending = new PendingReplies(this.#clock, udpv4Defaults.maxPending)
    this.#pingWaiters = new PingWaiters(this.#clock, udpv4Defaults.maxPending)
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
      (await bindUdp({ host: options.host ?? '0.0.0.0', port: options.port ?? 0 }))
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
    this.#state = 'running'
    transport.onMessage((data, from) => this.#onDatagram(data, from))
    transport.onError((e) => this.#log.debug('udp send error', { error: e.message }))
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
    try {
      this.#assertOpen()
    } catch (e) {
      return Promise.reject(e)
    }
    const { hash, bytes } = this.#encode(
      pingPacket(this.#local().node, node, this.#local().enr, this.#clock.now()),
    )
    const reply = this.#expect(
      node,
      'pong',
      pongMatcher(node, hash, (to) => this.#onPongAccepted(node, to)),
      options.signal,
    )
    this.#local().contact(node.ip)
    this.#send(bytes, node)
    return reply
  }

  /**
   * Bonds with `node`: pings it unless it pinged us within the bond lifetime, then waits up to
   * the response timeout for its ping back (so it accepts our FindNode/ENRRequest).
   */
  async bond(node: Node, options: { signal?: AbortSignal; force?: boolean } = {}): Promise<void> {
    const fresh = this.#bonds.pingedUs(node.id, node.ip)
    const fails = this.#db.findFails(node.id, node.ip)
    if (fresh && !options.force && fails <= udpv4Defaults.maxFindnodeFailures) return
    await this.ping(node, options)
    if (this.#bonds.pingedUs(node.id, node.ip)) return
    await this.#pingWaiters.wait(
      this.#bondKey(node.idHex, node.ip),
      this.#respTimeout,
      options.signal,
    )
  }

  /** Asks `node` for the nodes closest to `target`, bonding first if needed (up to 16 nodes). */
  async findnode(
    node: Node,
    target: NodeId,
    options: { signal?: AbortSignal } = {},
  ): Promise<Node[]> {
    await this.bond(node, options)
    this.#assertOpen()
    const reply = this.#expect(
      node,
      'neighbors',
      neighborsMatcher(node, this.#netrestrict, () => this.#drop('bad-neighbor')),
      options.signal,
    )
    this.#send(this.#encode(findNodePacket(target, this.#clock.now())).bytes, node)
    return reply
  }

  /** Asks `node` for its current record (EIP-868), bonding first if needed. */
  async requestENR(node: Node, options: { signal?: AbortSignal } = {}): Promise<Enr> {
    await this.bond(node, options)
    this.#assertOpen()
    const { hash, bytes } = this.#encode(enrRequestPacket(this.#clock.now()))
    const reply = this.#expect(node, 'enr', enrMatcher(node, hash), options.signal)
    this.#send(bytes, node)
    return reply
  }

  /** Queries the SNTP server now; returns the local clock's offset in ms and warns above 10 s. */
  checkClock(): Promise<number> {
    return this.#drift.check()
  }

  /** Stops answering, fails pending requests, closes the socket. Idempotent. */
  async stop(): Promise<void> {
    if (this.#state === 'stopped') return
    this.#state = 'stopped'
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
    let decoded = false
    try {
      const { packet, hash, fromId } = decodePacket(data)
      decoded = true
      this.#counters.decoded(packet.type)
      if (equalBytes(fromId, this.#id)) {
        this.#drop('self')
        return
      }
      this.#handle(packet, hash, fromId, from)
    } catch (e) {
      if (!decoded && this.#options.unhandled) {
        this.#options.unhandled(data, from)
        return
      }
      const code = (e as PacketError).code ?? 'ERR_INTERNAL'
      this.#drop(code)
      this.#log.debug('dropped packet', {
        from: `${from.ip}:${from.port}`,
        code,
        error: (e as Error).message,
      })
    }
  }

  #drop(reason: string): void {
    this.#counters.drop(reason)
  }

  #handle(packet: Packet, hash: Uint8Array, fromId: NodeId, from: UdpAddress): void {
    if ('expiration' in packet && this.#drift.expired(packet.expiration)) {
      this.#drop('ERR_EXPIRED')
      return
    }
    switch (packet.type) {
      case PacketType.Ping:
        this.#onPing(packet.from.tcp, packet.to, hash, fromId, from)
        return
      case PacketType.FindNode:
        this.#onFindNode(packet.target, fromId, from)
        return
      case PacketType.ENRRequest:
        this.#onENRRequest(hash, fromId, from)
        return
      default: {
        // Pong, Neighbors, ENRResponse: only as the answer to one of our requests.
        const kind = replyKind[packet.type]
        if (
          !kind ||
          !this.#pending.dispatch(replyKey(toHex(fromId), from.ip, kind), packet, hash)
        ) {
          this.#drop('ERR_UNSOLICITED_REPLY')
        }
      }
    }
  }

  #onPing(
    tcp: number,
    claimed: Endpoint,
    hash: Uint8Array,
    fromId: NodeId,
    from: UdpAddress,
  ): void {
    // Pong and ping-back go to the packet's source address, never to the claimed `from`.
    const to: Endpoint = { ip: from.ip, udp: from.port, tcp }
    this.#sendTo(
      this.#encode(pongPacket(to, hash, this.#local().enr, this.#clock.now())).bytes,
      from,
    )
    const node = new Node({ id: fromId, ip: from.ip, udp: from.port, tcp })
    const { proven, first } = this.#bonds.onPing(fromId, from.ip)
    if (!proven) {
      // Unbonded: prove its endpoint; its pong completes the bond (#onPongAccepted).
      this.ping(node).catch((e: Error) =>
        this.#log.debug('ping-back failed', { node: `${node}`, error: e.message }),
      )
    } else {
      this.emit('bonded', { node, first })
      // go-ethereum's handlePing: only bonded nodes make statements about our endpoint.
      this.#local().endpointStatement(from.ip, claimed)
    }
    this.#pingWaiters.wake(this.#bondKey(node.idHex, from.ip))
  }

  #onPongAccepted(node: Node, to: Endpoint): void {
    this.#counters.pong()
    // go-ethereum's verifyPong: every Pong is a statement about our endpoint.
    this.#local().endpointStatement(node.ip, to)
    if (this.#bonds.onPong(node.id, node.ip)) this.emit('bonded', { node, first: true })
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

  #onFindNode(target: NodeId, fromId: NodeId, from: UdpAddress): void {
    // Endpoint proof: no amplification towards an address that never answered our ping.
    if (!this.#bonds.proven(fromId, from.ip)) {
      this.#drop('ERR_UNKNOWN_NODE')
      return
    }
    const closest = (this.#source?.closest(target, udpv4Defaults.bucketSize) ?? []).filter((n) =>
      checkRelayIp(from.ip, n.ip),
    )
    for (const packet of neighborsPackets(closest, this.#clock.now())) {
      this.#sendTo(this.#encode(packet).bytes, from)
    }
  }

  #onENRRequest(hash: Uint8Array, fromId: NodeId, from: UdpAddress): void {
    if (!this.#bonds.proven(fromId, from.ip)) {
      this.#drop('ERR_UNKNOWN_NODE')
      return
    }
    this.#sendTo(this.#encode(enrResponsePacket(hash, this.#local().enr)).bytes, from)
  }

  // ---- helpers ----

  #encode(packet: Packet): { bytes: Uint8Array; hash: Uint8Array } {
    return encodePacket(packet, this.#key)
  }

  #send(bytes: Uint8Array, node: Node): void {
    this.#sendTo(bytes, { ip: node.ip, port: node.udp })
  }

  #sendTo(bytes: Uint8Array, to: UdpAddress): void {
    if (this.#state !== 'running') return
    this.#counters.sent(bytes)
    this.#transport?.send(bytes, to)
  }

  /** Registers a request's matcher for the `kind` reply from `node`. */
  #expect<T>(
    node: Node,
    kind: ReplyKind,
    matcher: ReplyMatcher<T>,
    signal: AbortSignal | undefined,
  ): Promise<T> {
    return this.#pending.expect(replyKey(node.idHex, node.ip, kind), {
      ...matcher,
      timeoutMs: this.#respTimeout,
      signal,
    })
  }

  #bondKey(idHex: string, ip: string): string {
    return `${idHex}|${ip}`
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

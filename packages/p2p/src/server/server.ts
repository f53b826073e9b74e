import { setMaxListeners } from 'node:events'
import {
  type Clock,
  Discovery,
  type Logger,
  Node,
  type NodeId,
  nodeIdFromPrivateKey,
  noopLogger,
  systemClock,
  TypedEventTarget,
} from '@x/discover'
import type { DialDiscovery } from '../dial/discovery.js'
import { type DialKind, dialDefaults } from '../dial/options.js'
import { DialScheduler } from '../dial/scheduler.js'
import { DisconnectReason, disconnectReasonText, P2PError } from '../errors.js'
import { baseProtocolVersion, type Hello } from '../hello.js'
import type { Transport } from '../message.js'
import type { MsgEvent } from '../metered.js'
import { matchProtocols, protocolCaps } from '../peer/caps.js'
import { protoHandshake } from '../peer/handshake.js'
import { Peer } from '../peer/peer.js'
import { DisconnectError, type Protocol } from '../protocol.js'
import { InboundThrottle, rejectConn, withTimeout } from './conn.js'
import { knownEnr, startDiscoveryV4, toNodes } from './discovery.js'
import { type NodeInfo, nodeInfo, type PeerInfo, peerInfo } from './info.js'
import { isLanIp, NetRestrict } from './netutil.js'
import type { InboundConn, Listener, LocalIdentity, Network } from './network.js'
import { type ServerEvents, type ServerOptions, serverDefaults } from './options.js'

interface PeerEntry {
  peer: Peer
  dynamic: boolean
}

interface ConnInfo {
  inbound: boolean
  remoteAddress: { ip: string; port: number }
  dest?: Node
  kind?: DialKind
}

function hex(id: NodeId): string {
  return Buffer.from(id.buffer, id.byteOffset, id.byteLength).toString('hex')
}

/**
 * The devp2p server (go-ethereum's `p2p.Server`): listens and dials through a {@link Network},
 * runs the two connection checkpoints (after the encryption handshake: self, already connected,
 * too many peers; after the hello: useless peer), runs {@link Peer}s with our protocols and keeps
 * the peer set filled through the {@link DialScheduler}. Construct, `start()`, `stop()`.
 */
export class Server extends TypedEventTarget<ServerEvents> {
  readonly id: NodeId
  /** `id` in hex. */
  readonly idHex: string
  readonly #o: ServerOptions
  readonly #clock: Clock
  readonly #log: Logger
  readonly #protocols: readonly Protocol[]
  readonly #netRestrict: NetRestrict | undefined
  readonly #local: LocalIdentity
  readonly #peers = new Map<string, PeerEntry>()
  readonly #trusted = new Map<string, Node>()
  readonly #static = new Map<string, Node>()
  readonly #bootnodes: readonly Node[]
  readonly #tasks = new Set<Promise<unknown>>()
  #throttle: InboundThrottle
  #listener: Listener | undefined
  #dialer: DialScheduler | undefined
  #abort: AbortController | undefined
  #starting: Promise<void> | undefined
  #stopping: Promise<void> | undefined
  #discovery: DialDiscovery | undefined
  /** Discovery v4 started by us (`discoveryV4`): closed by `stop()`. */
  #ownDiscovery: Discovery | undefined
  #pendingInbound = 0
  #inboundCount = 0

  constructor(options: ServerOptions) {
    super()
    this.#o = options
    this.#clock = options.clock ?? systemClock
    this.#log = options.logger ?? noopLogger
    this.#protocols = options.protocols ?? []
    this.#netRestrict = options.netRestrict?.length
      ? new NetRestrict(options.netRestrict)
      : undefined
    this.id = nodeIdFromPrivateKey(options.privateKey)
    this.idHex = hex(this.id)
    this.#local = { privateKey: options.privateKey, id: this.id }
    this.#throttle = new InboundThrottle(
      this.#clock,
      options.inboundThrottleTime ?? serverDefaults.inboundThrottleTime,
    )
    for (const n of options.trustedNodes ?? []) this.#trusted.set(n.idHex, n)
    for (const n of options.staticNodes ?? []) this.#static.set(n.idHex, n)
    this.#bootnodes = toNodes(options.bootnodes ?? [])
    if (options.discovery && options.discoveryV4 && !options.noDiscovery) {
      throw new P2PError(
        'ERR_DISCOVERY_CONFLICT',
        'give either discovery (run by the application) or discoveryV4 (run by the server)',
      )
    }
    this.#discovery = options.noDiscovery ? undefined : options.discovery
  }

  /**
   * The discovery the server dials from, when it is a `Discovery`: its own (with `discoveryV4`,
   * once started, until stopped) or the one given. Read `self`, `stats()`, `udp.enr` from it.
   */
  get discovery(): Discovery | undefined {
    if (this.#ownDiscovery) return this.#ownDiscovery
    return this.#discovery instanceof Discovery ? this.#discovery : undefined
  }

  get running(): boolean {
    return this.#abort !== undefined && !this.#abort.signal.aborted
  }

  /** The bound listen address, once started (undefined when not listening). */
  get listenAddress(): { ip: string; port: number } | undefined {
    return this.#listener?.address
  }

  get maxPeers(): number {
    return this.#o.maxPeers ?? serverDefaults.maxPeers
  }

  /** Dynamic dialed peers wanted (go-ethereum's maxDialedConns). */
  get maxDialedConns(): number {
    if (this.#o.noDial || this.maxPeers === 0) return 0
    const ratio = this.#o.dialRatio ?? serverDefaults.dialRatio
    return Math.max(1, Math.floor(this.maxPeers / ratio))
  }

  get maxInboundConns(): number {
    return this.maxPeers - this.maxDialedConns
  }

  /** Starts listening and dialing. Idempotent. */
  start(): Promise<void> {
    if (this.#stopping) return Promise.reject(new P2PError('ERR_SERVER_STOPPED', 'server stopped'))
    this.#starting ??= this.#start()
    return this.#starting
  }

  async #start(): Promise<void> {
    const network = this.#o.network
    if (!network) throw new P2PError('ERR_NO_NETWORK', 'no network given (RLPx not available)')
    this.#abort = new AbortController()
    // One abort listener per connection in setup: pending inbound handshakes plus dials.
    const maxPending = this.#o.maxPendingPeers ?? serverDefaults.maxPendingPeers
    const maxDials = this.#o.dialer?.maxActiveDials ?? dialDefaults.maxActiveDials
    setMaxListeners(maxPending + 2 * maxDials + 8, this.#abort.signal)
    const address =
      this.#o.listenAddress === undefined ? serverDefaults.listenAddress : this.#o.listenAddress
    if (address !== null) {
      try {
        this.#listener = await network.listen(address, this.#local, (c) => this.#onInbound(c))
      } catch (err) {
        this.#abort.abort(err)
        throw err
      }
      this.#log.info('listening', {
        address: `${this.#listener.address.ip}:${this.#listener.address.port}`,
      })
    }
    if (this.#o.discoveryV4 && !this.#o.noDiscovery) {
      try {
        this.#ownDiscovery = await startDiscoveryV4({
          config: this.#o.discoveryV4,
          privateKey: this.#o.privateKey,
          selfId: this.id,
          listen: address,
          tcpPort: this.#listener?.address.port ?? 0,
          ip: this.#o.externalIp,
          bootnodes: this.#bootnodes,
          netRestrict: this.#netRestrict,
          clock: this.#clock,
          logger: this.#log.child({ module: 'discover' }),
        })
      } catch (err) {
        this.#abort.abort(err)
        await this.#listener?.close()
        this.#listener = undefined
        throw err
      }
      this.#discovery = this.#ownDiscovery
    }
    if (!this.#o.noDial) {
      const netRestrict = this.#netRestrict
      this.#dialer = new DialScheduler({
        self: this.id,
        maxDialPeers: this.maxDialedConns,
        dial: (node, kind, signal) => this.#dial(node, kind, signal),
        ...(this.#discovery ? { discovery: this.#discovery } : {}),
        bootnodes: this.#bootnodes,
        ...(netRestrict ? { allowed: (n: Node) => netRestrict.contains(n.ip) } : {}),
        clock: this.#clock,
        logger: this.#log,
        ...this.#o.dialer,
      })
      for (const n of this.#static.values()) this.#dialer.addStatic(n)
      this.#dialer.start()
    }
  }

  /**
   * Stops: closes the listener, stops dialing, aborts connection setups and disconnects every
   * peer with "client quitting", then closes its own discovery (`discoveryV4`: flushes and closes
   * the node database); resolves once all of it is done. Idempotent.
   */
  stop(): Promise<void> {
    this.#stopping ??= this.#stop()
    return this.#stopping
  }

  async #stop(): Promise<void> {
    await this.#starting?.catch(() => {})
    this.#abort?.abort(new P2PError('ERR_SERVER_STOPPED', 'server stopped'))
    await this.#listener?.close()
    await this.#dialer?.stop()
    for (const { peer } of this.#peers.values()) peer.disconnect(DisconnectReason.ClientQuitting)
    while (this.#tasks.size > 0) await Promise.allSettled([...this.#tasks])
    this.#throttle.clear()
    const own = this.#ownDiscovery
    this.#ownDiscovery = undefined
    if (this.#discovery === own) this.#discovery = undefined
    await own?.close()
  }

  /**
   * Sets the source of dynamic dial candidates after construction, also while running. A node
   * that listens on port 0 starts the server first, then discovery with the bound TCP port
   * (`listenAddress.port`), then hands discovery over here (or gives `discoveryV4` and lets the
   * server do all of it). Ignored with `noDiscovery`. A discovery the server started itself keeps
   * running (no longer dialed from) until `stop()`.
   */
  async setDiscovery(discovery: DialDiscovery | undefined): Promise<void> {
    if (this.#o.noDiscovery || this.#stopping) return
    this.#discovery = discovery
    await this.#dialer?.setDiscovery(discovery)
  }

  /** Connected peers. */
  peers(): Peer[] {
    return [...this.#peers.values()].map((e) => e.peer)
  }

  peerCount(): number {
    return this.#peers.size
  }

  /** Makes `node` a static node: always admitted, kept connected, redialed when it drops. */
  addPeer(node: Node): void {
    if (this.#static.size >= dialDefaults.maxStatic && !this.#static.has(node.idHex)) {
      throw new P2PError('ERR_TOO_MANY_STATIC', `static set is full (${dialDefaults.maxStatic})`)
    }
    this.#static.set(node.idHex, node)
    this.#dialer?.addStatic(node)
  }

  /** Forgets static node `node` and disconnects it if connected. */
  removePeer(node: Node | NodeId): void {
    const id = node instanceof Node ? node.id : node
    const idHex = hex(id)
    this.#static.delete(idHex)
    this.#dialer?.removeStatic(id)
    this.#peers.get(idHex)?.peer.disconnect(DisconnectReason.Requested)
  }

  /** Always admits `node`, even when the server is full. */
  addTrustedPeer(node: Node): void {
    if (this.#trusted.size >= serverDefaults.maxTrusted && !this.#trusted.has(node.idHex)) {
      throw new P2PError(
        'ERR_TOO_MANY_TRUSTED',
        `trusted set is full (${serverDefaults.maxTrusted})`,
      )
    }
    this.#trusted.set(node.idHex, node)
  }

  removeTrustedPeer(node: Node | NodeId): void {
    this.#trusted.delete(node instanceof Node ? node.idHex : hex(node))
  }

  #onInbound(conn: InboundConn): void {
    const { ip } = conn.remoteAddress
    let refuse: string | undefined
    if (!this.running) refuse = 'server not running'
    else if (this.#netRestrict && !this.#netRestrict.contains(ip)) refuse = 'not in netrestrict'
    else if (this.#pendingInbound >= (this.#o.maxPendingPeers ?? serverDefaults.maxPendingPeers))
      refuse = 'too many pending handshakes'
    else if (!isLanIp(ip) && !this.#throttle.admit(ip)) refuse = 'too many attempts'
    if (refuse !== undefined) {
      conn.close()
      this.#log.debug('inbound refused', { ip, why: refuse })
      this.emit('conn:failed', {
        inbound: true,
        remoteAddress: conn.remoteAddress,
        error: new P2PError('ERR_INBOUND_REFUSED', refuse),
      })
      return
    }
    this.#pendingInbound++
    const timeout = this.#o.handshakeTimeout ?? serverDefaults.handshakeTimeout
    const conninfo = { inbound: true, remoteAddress: conn.remoteAddress }
    const task = this.#setupConn(conninfo, (signal) =>
      withTimeout(this.#clock, timeout, [signal], (s) => conn.handshake({ signal: s })),
    )
      .catch(() => {})
      .finally(() => {
        this.#pendingInbound--
      })
    this.#track(task)
  }

  #dial(node: Node, kind: DialKind, signal: AbortSignal): Promise<void> {
    const network = this.#o.network as Network
    const timeout = this.#o.dialTimeout ?? serverDefaults.dialTimeout
    const conninfo = {
      inbound: false,
      remoteAddress: { ip: node.ip, port: node.tcp },
      dest: node,
      kind,
    }
    const task = this.#setupConn(conninfo, (serverSignal) =>
      withTimeout(this.#clock, timeout, [serverSignal, signal], (s) =>
        network.dial(node, this.#local, { signal: s }),
      ),
    )
    this.#track(task.catch(() => {}))
    return task
  }

  #track(task: Promise<unknown>): void {
    this.#tasks.add(task)
    void task.finally(() => this.#tasks.delete(task))
  }

  /** Checkpoint run after the encryption handshake and again after the hello. */
  #check(idHex: string, inbound: boolean): DisconnectReason | undefined {
    if (idHex === this.idHex) return DisconnectReason.ConnectedToSelf
    if (this.#peers.has(idHex)) return DisconnectReason.AlreadyConnected
    if (this.#trusted.has(idHex) || this.#static.has(idHex)) return undefined
    if (this.#peers.size >= this.maxPeers) return DisconnectReason.TooManyPeers
    if (inbound && this.#inboundCount >= this.maxInboundConns) return DisconnectReason.TooManyPeers
    return undefined
  }

  #ourHello(): Hello {
    return {
      version: baseProtocolVersion,
      clientId: this.#o.name ?? serverDefaults.name,
      caps: protocolCaps(this.#protocols),
      listenPort: this.#listener?.address.port ?? 0,
      id: this.id,
    }
  }

  async #setupConn(
    c: ConnInfo,
    connect: (signal: AbortSignal) => Promise<Transport>,
  ): Promise<void> {
    const signal = (this.#abort as AbortController).signal
    let idHex: string | undefined
    try {
      const transport = await connect(signal)
      idHex = hex(transport.remoteId)
      const fail = async (reason: DisconnectReason, why: string): Promise<never> => {
        await rejectConn(this.#clock, transport, reason)
        throw new DisconnectError(reason, why)
      }
      // Stopped meanwhile: tell the remote why (it may already count us as its peer).
      const quitting = () =>
        signal.aborted ? fail(DisconnectReason.ClientQuitting, 'server stopped') : undefined
      await quitting()
      if (c.dest && c.dest.idHex !== idHex) {
        await fail(DisconnectReason.UnexpectedIdentity, 'dialed node answered with another key')
      }
      const early = this.#check(idHex, c.inbound)
      if (early !== undefined) await fail(early, disconnectReasonText[early])
      let hello: Hello
      try {
        hello = await protoHandshake(transport, this.#ourHello(), {
          signal,
          clock: this.#clock,
          timeout: this.#o.helloTimeout ?? serverDefaults.helloTimeout,
        })
      } catch (err) {
        await quitting()
        transport.close()
        throw err
      }
      await quitting()
      if (this.#protocols.length > 0 && matchProtocols(this.#protocols, hello.caps).length === 0) {
        await fail(DisconnectReason.UselessPeer, 'no matching protocol')
      }
      const late = this.#check(idHex, c.inbound)
      if (late !== undefined) await fail(late, disconnectReasonText[late])
      this.#addPeer(transport, hello, c)
    } catch (error) {
      const reason =
        error instanceof P2PError && 'reason' in error
          ? (error.reason as DisconnectReason)
          : undefined
      this.#log.debug('connection failed', {
        inbound: c.inbound,
        addr: `${c.remoteAddress.ip}:${c.remoteAddress.port}`,
        error: String(error),
      })
      this.emit('conn:failed', {
        inbound: c.inbound,
        remoteAddress: c.remoteAddress,
        ...(idHex === undefined ? {} : { id: idHex }),
        ...(reason === undefined ? {} : { reason }),
        error,
      })
      throw error
    }
  }

  #addPeer(transport: Transport, hello: Hello, c: ConnInfo): void {
    const messageEvents = this.#o.messageEvents
    const sink = this.#o.onMessage
    const peer = new Peer(transport, hello, {
      protocols: this.#protocols,
      inbound: c.inbound,
      clock: this.#clock,
      pingInterval: this.#o.pingInterval ?? serverDefaults.pingInterval,
      idleTimeout: this.#o.idleTimeout ?? serverDefaults.idleTimeout,
      logger: this.#log,
      ...(messageEvents || sink
        ? {
            onMessage: (e: MsgEvent) => {
              sink?.(e)
              if (messageEvents) {
                this.emit(e.direction === 'sent' ? 'message:sent' : 'message:received', e)
              }
            },
          }
        : {}),
    })
    const dynamic = c.kind === 'dynamic'
    this.#peers.set(peer.idHex, { peer, dynamic })
    if (c.inbound) this.#inboundCount++
    this.#log.debug('peer added', { peer: peer.idHex.slice(0, 16), inbound: c.inbound })
    this.#dialer?.peerAdded(peer.id, dynamic)
    this.emit('peer:added', { peer })
    const run = peer.run().then((info) => {
      this.#peers.delete(peer.idHex)
      if (c.inbound) this.#inboundCount--
      this.#dialer?.peerRemoved(peer.id)
      this.#log.debug('peer removed', {
        peer: peer.idHex.slice(0, 16),
        reason: disconnectReasonText[info.reason],
        remote: info.remote,
      })
      this.emit('peer:removed', { peer, ...info })
    })
    this.#track(run)
  }

  /** Who we are, shaped like go-ethereum's `admin_nodeInfo`. */
  nodeInfo(): NodeInfo {
    return nodeInfo({
      id: this.id,
      name: this.#o.name ?? serverDefaults.name,
      listener: this.#listener?.address,
      externalIp: this.#o.externalIp ?? this.#discovery?.self?.ip,
      discoveryPort: this.#o.discoveryPort ?? this.#discovery?.self?.udp,
      enr: this.#o.enr ? this.#o.enr() : this.discovery?.udp.enr.toText(),
      protocols: this.#protocols,
    })
  }

  /** The connected peers, shaped like go-ethereum's `admin_peers`. */
  peersInfo(): PeerInfo[] {
    const discovery = this.discovery
    return this.peers().map((peer) =>
      peerInfo(peer, {
        listener: this.#listener?.address,
        trusted: this.#trusted.has(peer.idHex),
        static: this.#static.has(peer.idHex),
        enr: discovery ? knownEnr(discovery, peer.id) : undefined,
      }),
    )
  }
}

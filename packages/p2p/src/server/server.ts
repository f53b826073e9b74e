import { setMaxListeners } from 'node:events'
import {
  type Clock,
  type Logger,
  type Netlist,
  type Startable,
  TypedEventTarget,
  toHex,
} from '@x/core'
import {
  Discovery,
  type DiscoveryV5,
  type EnodeHost,
  isEnodeHost,
  Node,
  type NodeId,
  nodeIdFromPrivateKey,
} from '@x/discover'
import type { DialDiscovery } from '../dial/discovery.js'
import { dialDefaults } from '../dial/options.js'
import type { DialScheduler } from '../dial/scheduler.js'
import { DisconnectReason, P2PError } from '../errors.js'
import { baseProtocolVersion, type Hello } from '../hello.js'
import type { Transport } from '../message.js'
import { protocolCaps } from '../peer/caps.js'
import type { Peer } from '../peer/peer.js'
import type { Protocol } from '../protocol.js'
import { NodeSets } from './admin.js'
import { setupDialScheduler } from './dialing.js'
import { knownEnr, startDiscoveryV4 } from './discovery.js'
import { hostPort, type NodeInfo, nodeInfo, type PeerInfo, peerInfo } from './info.js'
import { InboundGate } from './listen.js'
import { setupNat } from './nat.js'
import type { InboundConn, Listener, LocalIdentity } from './network.js'
import {
  type ResolvedServerOptions,
  resolveServerOptions,
  type ServerEvents,
  type ServerOptions,
} from './options.js'
import { ServerPeers } from './peers.js'
import { type ConnInfo, setupConn } from './setup.js'

/**
 * The devp2p server (go-ethereum's `p2p.Server`): listens and dials through its `network`,
 * runs the two connection checkpoints (after the encryption handshake: self, already connected,
 * too many peers; after the hello: useless peer), runs {@link Peer}s with our protocols and keeps
 * the peer set filled through the {@link DialScheduler}. Construct, `start()`, `stop()`.
 */
export class Server extends TypedEventTarget<ServerEvents> implements Startable {
  readonly id: NodeId
  /** `id` in hex. */
  readonly idHex: string
  readonly #o: ResolvedServerOptions
  readonly #clock: Clock
  readonly #log: Logger
  readonly #protocols: readonly Protocol[]
  readonly #netRestrict: Netlist | undefined
  readonly #local: LocalIdentity
  readonly #peers: ServerPeers
  readonly #nodes: NodeSets
  readonly #bootnodes: readonly (Node | EnodeHost)[]
  readonly #tasks = new Set<Promise<unknown>>()
  readonly #gate: InboundGate
  #listener: Listener | undefined
  #dialer: DialScheduler | undefined
  #abort: AbortController | undefined
  #starting: Promise<void> | undefined
  #stopping: Promise<void> | undefined
  #discovery: DialDiscovery | undefined
  /** Discovery v4 started by us (`discoveryV4`): closed by `stop()`. */
  #ownDiscovery: Discovery | undefined
  /** Discovery v5 started by us beside v4 (`discoveryV5`): stopped before v4. */
  #ownV5: DiscoveryV5 | undefined

  constructor(options: ServerOptions) {
    super()
    const o = resolveServerOptions(options)
    this.#o = o
    this.#clock = o.clock
    this.#log = o.logger
    this.#protocols = o.protocols
    this.#netRestrict = o.netRestrict
    this.id = nodeIdFromPrivateKey(o.privateKey)
    this.idHex = toHex(this.id)
    this.#local = { privateKey: o.privateKey, id: this.id }
    this.#gate = new InboundGate(
      this.#clock,
      o.inboundThrottleTime,
      this.#netRestrict,
      o.maxPendingPerIp,
    )
    this.#nodes = new NodeSets(
      o.staticNodes.filter((n): n is Node => !isEnodeHost(n)),
      o.trustedNodes,
    )
    this.#bootnodes = o.bootnodes
    this.#discovery = o.discovery
    this.#peers = new ServerPeers({
      options: o,
      clock: this.#clock,
      log: this.#log,
      protocols: this.#protocols,
      selfHex: this.idHex,
      nodes: this.#nodes,
      dialer: () => this.#dialer,
      message: (e) => this.emit(e.direction === 'sent' ? 'message:sent' : 'message:received', e),
      added: (e) => this.emit('peer:added', e),
      removed: (e) => this.emit('peer:removed', e),
    })
  }

  /**
   * The discovery the server dials from, when it is a `Discovery`: its own (with `discoveryV4`,
   * once started, until stopped) or the one given. Read `self`, `stats()`, `udp.enr` from it.
   */
  get discovery(): Discovery | undefined {
    if (this.#ownDiscovery) return this.#ownDiscovery
    return this.#discovery instanceof Discovery ? this.#discovery : undefined
  }

  /** Discovery v5 run beside v4 (`discoveryV5`), once started, until stopped. */
  get discoveryV5(): DiscoveryV5 | undefined {
    return this.#ownV5
  }

  get running(): boolean {
    return this.#abort !== undefined && !this.#abort.signal.aborted
  }

  /** The bound listen address, once started (undefined when not listening). */
  get listenAddress(): { ip: string; port: number } | undefined {
    return this.#listener?.address
  }

  get maxPeers(): number {
    return this.#o.maxPeers
  }

  /** Dynamic dialed peers wanted (go-ethereum's maxDialedConns). */
  get maxDialedConns(): number {
    if (this.#o.noDial || this.maxPeers === 0) return 0
    return Math.max(1, Math.floor(this.maxPeers / this.#o.dialRatio))
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
    const maxDials = this.#o.dialer.maxActiveDials ?? dialDefaults.maxActiveDials
    setMaxListeners(this.#o.maxPendingPeers + 2 * maxDials + 8, this.#abort.signal)
    const address = this.#o.listenAddress
    if (address !== null) {
      try {
        this.#listener = await network.listen(address, this.#local, (c) => this.#onInbound(c))
      } catch (err) {
        this.#abort.abort(err)
        throw err
      }
      this.#log.info('listening', {
        address: hostPort(this.#listener.address),
      })
    }
    if (this.#o.discoveryV4) {
      try {
        this.#ownDiscovery = await startDiscoveryV4({
          config: this.#o.discoveryV4,
          privateKey: this.#o.privateKey,
          selfId: this.id,
          listen: address,
          tcpPort: this.#listener?.address.port ?? 0,
          ip: this.#o.externalIp ?? this.#o.nat?.staticIp,
          bootnodes: this.#bootnodes,
          hostResolver: this.#o.hostResolver,
          netRestrict: this.#netRestrict,
          clock: this.#clock,
          logger: this.#log.child({ module: 'discover' }),
          v5: this.#o.discoveryV5,
          onV5: (v5) => {
            this.#ownV5 = v5
          },
        })
      } catch (err) {
        this.#abort.abort(err)
        await this.#listener?.close()
        this.#listener = undefined
        throw err
      }
      this.#discovery = this.#ownDiscovery
    }
    this.#startNat()
    if (!this.#o.noDial) {
      this.#dialer = setupDialScheduler({
        options: this.#o,
        local: this.#local,
        clock: this.#clock,
        log: this.#log,
        maxDialPeers: this.maxDialedConns,
        discovery: this.#discovery,
        bootnodes: this.#bootnodes,
        netRestrict: this.#netRestrict,
        // Host-name statics are kept by the dialer only (resolved before each dial).
        statics: [...this.#nodes.statics(), ...this.#o.staticNodes.filter(isEnodeHost)],
        extraSources: this.#ownV5 ? [(o) => (this.#ownV5 as DiscoveryV5).randomNodes(o)] : [],
        setup: (c, connect) => this.#setupConn(c, connect),
        track: (task) => this.#track(task),
      })
      await this.#dialer.start()
    }
  }

  /** UPnP / NAT-PMP in the background (an `extip` needs nothing more). */
  #startNat(): void {
    const nat = this.#o.nat
    if (!nat || nat.staticIp !== undefined || this.#o.externalIp !== undefined) return
    const own = this.#ownDiscovery
    this.#track(
      setupNat({
        nat,
        tcpPort: this.#listener?.address.port ?? 0,
        udpPort: own?.self.udp ?? 0,
        listenIp: this.#o.listenAddress?.ip ?? '0.0.0.0',
        signal: (this.#abort as AbortController).signal,
        log: this.#log.child({ module: 'nat' }),
        advertise: (endpoint) => {
          if (this.running) own?.udp.updateEndpoint(endpoint)
        },
      }),
    )
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
    for (const peer of this.#peers.list()) peer.disconnect(DisconnectReason.ClientQuitting)
    while (this.#tasks.size > 0) await Promise.allSettled([...this.#tasks])
    this.#gate.clear()
    await this.#o.nat?.close()
    const own = this.#ownDiscovery
    this.#ownDiscovery = undefined
    if (this.#discovery === own) this.#discovery = undefined
    const v5 = this.#ownV5
    this.#ownV5 = undefined
    await v5?.stop()
    await own?.stop()
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
    return this.#peers.list()
  }

  peerCount(): number {
    return this.#peers.size
  }

  /** Makes `node` a static node: always admitted, kept connected, redialed when it drops. */
  addPeer(node: Node): void {
    this.#nodes.addStatic(node)
    this.#dialer?.addStatic(node)
  }

  /** Forgets static node `node` and disconnects it if connected. */
  removePeer(node: Node | NodeId): void {
    const id = node instanceof Node ? node.id : node
    const idHex = toHex(id)
    this.#nodes.removeStatic(idHex)
    this.#dialer?.removeStatic(id)
    this.#peers.get(idHex)?.disconnect(DisconnectReason.Requested)
  }

  /** Always admits `node`, even when the server is full. */
  addTrustedPeer(node: Node): void {
    this.#nodes.addTrusted(node)
  }

  removeTrustedPeer(node: Node | NodeId): void {
    this.#nodes.removeTrusted(node instanceof Node ? node.idHex : toHex(node))
  }

  #onInbound(conn: InboundConn): void {
    const task = this.#gate.accept(conn, {
      running: this.running,
      maxPending: this.#o.maxPendingPeers,
      handshakeTimeout: this.#o.handshakeTimeout,
      log: this.#log,
      failed: (e) => this.emit('conn:failed', e),
      setup: (c, connect) => this.#setupConn(c, connect),
    })
    if (task) this.#track(task)
  }

  #track(task: Promise<unknown>): void {
    this.#tasks.add(task)
    void task.finally(() => this.#tasks.delete(task))
  }

  #ourHello(): Hello {
    return {
      version: baseProtocolVersion,
      clientId: this.#o.name,
      caps: protocolCaps(this.#protocols),
      listenPort: this.#listener?.address.port ?? 0,
      id: this.id,
    }
  }

  #setupConn(c: ConnInfo, connect: (signal: AbortSignal) => Promise<Transport>): Promise<void> {
    const ctx = {
      signal: (this.#abort as AbortController).signal,
      clock: this.#clock,
      log: this.#log,
      protocols: this.#protocols,
      helloTimeout: this.#o.helloTimeout,
      hello: () => this.#ourHello(),
      checkpoint: (idHex: string, inbound: boolean) =>
        this.#peers.check(idHex, inbound, this.maxPeers, this.maxInboundConns),
      launch: (transport: Transport, hello: Hello) =>
        this.#track(this.#peers.launch(transport, hello, c)),
      failed: (e: ServerEvents['conn:failed']) => this.emit('conn:failed', e),
      handshake: (e: ServerEvents['conn:handshake']) => this.emit('conn:handshake', e),
    }
    return setupConn(ctx, c, connect)
  }

  /** Who we are, shaped like go-ethereum's `admin_nodeInfo`. */
  nodeInfo(): NodeInfo {
    return nodeInfo({
      id: this.id,
      name: this.#o.name,
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
        trusted: this.#nodes.isTrusted(peer.idHex),
        static: this.#nodes.isStatic(peer.idHex),
        enr: discovery ? knownEnr(discovery, peer.id) : undefined,
      }),
    )
  }
}

import type { Clock, Logger } from '@x/core'
import type { DialScheduler } from '../dial/scheduler.js'
import { DisconnectReason, disconnectReasonText } from '../errors.js'
import type { Hello } from '../hello.js'
import type { MsgEvent, Transport } from '../message.js'
import { Peer } from '../peer/peer.js'
import type { Protocol } from '../protocol.js'
import type { NodeSets } from './admin.js'
import type { ResolvedServerOptions, ServerEvents } from './options.js'
import type { ConnInfo } from './setup.js'

interface PeerEntry {
  peer: Peer
  dynamic: boolean
}

/** What the peer set needs from the server to run a peer. */
export interface PeerRunContext {
  options: ResolvedServerOptions
  clock: Clock
  log: Logger
  protocols: readonly Protocol[]
  /** Our node ID in hex (the checkpoint refuses ourselves). */
  selfHex: string
  nodes: NodeSets
  /** The dial scheduler, told of every peer added and removed (once the server started it). */
  dialer(): DialScheduler | undefined
  /** Every message of every peer, when `messageEvents` is set. */
  message(e: MsgEvent): void
  /** The server's `peer:added`. */
  added(e: ServerEvents['peer:added']): void
  /** The server's `peer:removed`. */
  removed(e: ServerEvents['peer:removed']): void
}

/**
 * The server's connected peers (the map go-ethereum's server run loop owns), by node ID in hex,
 * with the count of inbound ones. Bounded by the checkpoint: `maxPeers` (trusted and static
 * nodes beyond it).
 */
export class ServerPeers {
  readonly #peers = new Map<string, PeerEntry>()
  readonly #ctx: PeerRunContext
  #inbound = 0

  constructor(ctx: PeerRunContext) {
    this.#ctx = ctx
  }

  get size(): number {
    return this.#peers.size
  }

  get(idHex: string): Peer | undefined {
    return this.#peers.get(idHex)?.peer
  }

  list(): Peer[] {
    return [...this.#peers.values()].map((e) => e.peer)
  }

  /**
   * go-ethereum's `checkpoint`/`postHandshakeChecks`: why `idHex` may not become a peer now
   * (ourselves, already connected, too many peers or inbound peers), or undefined.
   */
  check(
    idHex: string,
    inbound: boolean,
    maxPeers: number,
    maxInbound: number,
  ): DisconnectReason | undefined {
    const nodes = this.#ctx.nodes
    if (idHex === this.#ctx.selfHex) return DisconnectReason.ConnectedToSelf
    if (this.#peers.has(idHex)) return DisconnectReason.AlreadyConnected
    if (nodes.isTrusted(idHex) || nodes.isStatic(idHex)) return undefined
    if (this.#peers.size >= maxPeers) return DisconnectReason.TooManyPeers
    if (inbound && this.#inbound >= maxInbound) return DisconnectReason.TooManyPeers
    return undefined
  }

  /**
   * go-ethereum's `launchPeer`: adds a {@link Peer} on `transport`, tells the dialer and the
   * server, and runs it; once it ended, removes it and tells them again. Resolves after that.
   */
  launch(transport: Transport, hello: Hello, c: ConnInfo): Promise<void> {
    const { options: o, log, message } = this.#ctx
    const messageEvents = o.messageEvents
    const sink = o.onMessage
    const peer = new Peer(transport, hello, {
      protocols: this.#ctx.protocols,
      inbound: c.inbound,
      clock: this.#ctx.clock,
      pingInterval: o.pingInterval,
      idleTimeout: o.idleTimeout,
      logger: log,
      ...(messageEvents || sink
        ? {
            onMessage: (e: MsgEvent) => {
              sink?.(e)
              if (messageEvents) message(e)
            },
          }
        : {}),
    })
    const dynamic = c.kind === 'dynamic'
    this.#peers.set(peer.idHex, { peer, dynamic })
    if (c.inbound) this.#inbound++
    log.debug('peer added', { peer: peer.idHex.slice(0, 16), inbound: c.inbound })
    this.#ctx.dialer()?.peerAdded(peer.id, dynamic)
    this.#ctx.added({ peer })
    return peer.run().then((info) => {
      this.#peers.delete(peer.idHex)
      if (c.inbound) this.#inbound--
      this.#ctx.dialer()?.peerRemoved(peer.id)
      log.debug('peer removed', {
        peer: peer.idHex.slice(0, 16),
        reason: disconnectReasonText[info.reason],
        remote: info.remote,
      })
      this.#ctx.removed({ peer, ...info })
    })
  }
}

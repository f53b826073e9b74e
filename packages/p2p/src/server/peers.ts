import { type Clock, type Logger, toHex } from '@x/core'
import type { DialScheduler } from '../dial/scheduler.js'
import { DisconnectReason, disconnectReasonText } from '../errors.js'
import type { Hello } from '../hello.js'
import type { MsgEvent, Transport } from '../message.js'
import { Peer } from '../peer/peer.js'
import type { Protocol } from '../protocol.js'
import type { NodeSets } from './admin.js'
import { rejectConn } from './conn.js'
import type { ResolvedServerOptions, ServerEvents } from './options.js'
import type { ConnInfo } from './setup.js'

interface PeerEntry {
  peer: Peer
  dynamic: boolean
  /** Resolves once the peer has ended and left the set. */
  ended: Promise<void>
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
  /** Inbound connections waiting for the peer they replace to end (counted as inbound). */
  #replacingInbound = 0

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
    const privileged = nodes.isTrusted(idHex) || nodes.isStatic(idHex)
    const existing = this.#peers.get(idHex)
    if (existing) {
      if (!this.#supersedes(existing.peer, idHex, inbound)) return DisconnectReason.AlreadyConnected
      // A replacement keeps the peer count; an inbound one must still fit the inbound slots, so
      // that replacements cannot turn dialed slots into inbound ones.
      const fits = !inbound || privileged || this.#inboundCount() < maxInbound
      return fits ? undefined : DisconnectReason.AlreadyConnected
    }
    if (privileged) return undefined
    if (this.#peers.size >= maxPeers) return DisconnectReason.TooManyPeers
    if (inbound && this.#inboundCount() >= maxInbound) return DisconnectReason.TooManyPeers
    return undefined
  }

  #inboundCount(): number {
    return this.#inbound + this.#replacingInbound
  }

  /**
   * Whether a new connection with `idHex` in direction `inbound` replaces the peer we already
   * have. Two nodes that dial each other at once each hold two connections; go-ethereum keeps
   * whichever finished first, so each side may keep a different one and refuse the other, and
   * both links die until the dial history lets them try again (35 s). Here both sides keep the
   * connection dialed by the node with the smaller ID and drop the other (DiscAlreadyConnected),
   * so a simultaneous dial leaves one link. Same-direction duplicates are refused as in geth.
   */
  #supersedes(existing: Peer, idHex: string, inbound: boolean): boolean {
    if (existing.inbound === inbound) return false
    const keepInbound = idHex < this.#ctx.selfHex
    return inbound === keepInbound
  }

  /**
   * go-ethereum's `launchPeer`: adds a {@link Peer} on `transport`, tells the dialer and the
   * server, and runs it; once it ended, removes it and tells them again. Resolves after that.
   * A connection that supersedes a peer (see `#supersedes`) waits for that peer to end first.
   */
  async launch(transport: Transport, hello: Hello, c: ConnInfo): Promise<void> {
    const idHex = toHex(transport.remoteId)
    const old = this.#peers.get(idHex)
    if (old) {
      old.peer.disconnect(DisconnectReason.AlreadyConnected)
      if (c.inbound) this.#replacingInbound++
      await old.ended.finally(() => {
        if (c.inbound) this.#replacingInbound--
      })
      // Another connection took the place meanwhile: this one is the duplicate now.
      if (this.#peers.has(idHex)) {
        await rejectConn(this.#ctx.clock, transport, DisconnectReason.AlreadyConnected)
        return
      }
    }
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
    const entry: PeerEntry = { peer, dynamic, ended: Promise.resolve() }
    this.#peers.set(peer.idHex, entry)
    if (c.inbound) this.#inbound++
    log.debug('adding p2p peer', { peer: peer.idHex.slice(0, 16), inbound: c.inbound })
    this.#ctx.dialer()?.peerAdded(peer.id, dynamic)
    this.#ctx.added({ peer })
    entry.ended = peer.run().then((info) => {
      this.#peers.delete(peer.idHex)
      if (c.inbound) this.#inbound--
      this.#ctx.dialer()?.peerRemoved(peer.id)
      log.debug('removing p2p peer', {
        peer: peer.idHex.slice(0, 16),
        reason: disconnectReasonText[info.reason],
        remote: info.remote,
      })
      this.#ctx.removed({ peer, ...info })
    })
    return entry.ended
  }
}

import { type Clock, type Logger, noopLogger, type Startable, systemClock } from '@x/core'
import type { Cap } from '@x/p2p'
import type { PingProtocol } from './ping/protocol.js'
import { type DisconnectPeer, dropUnhealthyPeers } from './policy.js'
import type { HealthTracker } from './tracker.js'

/** What the monitor is told about a new peer. `id` is the node ID as 128 hex characters. */
export interface LivePeer {
  id: string
  address?: { ip: string; port: number }
  clientId?: string
  caps?: readonly Cap[]
}

/**
 * Sends a base-protocol Ping to a peer and resolves when its Pong arrives (rejects if the write
 * fails or `signal` aborts). The peer layer provides it; the monitor times it.
 */
export type BasePing = (id: string, signal: AbortSignal) => Promise<void>

/**
 * One message a peer sent or received, as the p2p layer reports it for metrics (structurally
 * `@x/p2p`'s `MsgEvent`): `peer` is the node ID hex, `protocol` is `p2p` for the base protocol.
 */
export interface PeerMsgEvent {
  direction: 'sent' | 'received'
  peer: string
  protocol: string
  code: number
}

/** Base-protocol Ping and Pong codes. */
const basePingCode = 0x02
const basePongCode = 0x03

export interface LivenessMonitorOptions {
  tracker: HealthTracker
  /** When given, peers running it are timed by ping/1 and skipped by base pings. */
  ping?: PingProtocol
  /** Times base-protocol Ping/Pong for peers without ping/1 (off when not given). */
  basePing?: BasePing
  /** Time between base pings per peer (default 15 000 ms, the devp2p ping interval). */
  pingInterval?: number
  /** How long to wait for a base Pong (default 5 000 ms). */
  pingTimeout?: number
  /** A peer not heard from for this long is unhealthy (default 30 000 ms: two ping intervals). */
  silenceTimeout?: number
  /** How often silence is checked (default 5 000 ms). */
  checkInterval?: number
  /** Peers monitored at most; one more evicts the longest-monitored (default 1024). */
  maxPeers?: number
  /** Policy: disconnect unhealthy peers through `disconnect` (default false). */
  dropUnhealthy?: boolean
  disconnect?: DisconnectPeer
  clock?: Clock
  monotonic?: () => number
  logger?: Logger
}

export const livenessDefaults = {
  pingInterval: 15_000,
  pingTimeout: 5_000,
  silenceTimeout: 30_000,
  checkInterval: 5_000,
  maxPeers: 1024,
}

interface LiveEntry {
  peer: LivePeer
  nextBasePing: number
  basePing: AbortController | undefined
  silentReported: boolean
  /** When our last base Ping seen in the message events went out (monotonic ms). */
  pingSentAt: number | undefined
}

/**
 * devp2p liveness: tracks every connected peer's inbound traffic, failed writes and (for peers
 * without ping/1) base-protocol Ping/Pong RTT, and reports peers that stay silent. The server
 * calls `peerAdded`/`peerRemoved` and feeds `messageEvent` (or `activity`/`writeFailed`); the
 * base Ping/Pong is timed passively from the message events, or actively through `basePing`
 * when given. The monitor feeds the tracker. Construction opens nothing; `start()` arms the
 * silence check (and the drop policy), `stop()` clears it and aborts base pings in flight.
 */
export class LivenessMonitor implements Startable {
  readonly #o: Required<Omit<LivenessMonitorOptions, 'ping' | 'basePing' | 'disconnect'>> &
    LivenessMonitorOptions
  readonly #peers = new Map<string, LiveEntry>()
  #timer: ReturnType<Clock['setTimeout']> | undefined
  #stop: AbortController | undefined

  constructor(options: LivenessMonitorOptions) {
    this.#o = {
      ...options,
      pingInterval: options.pingInterval ?? livenessDefaults.pingInterval,
      pingTimeout: options.pingTimeout ?? livenessDefaults.pingTimeout,
      silenceTimeout: options.silenceTimeout ?? livenessDefaults.silenceTimeout,
      checkInterval: options.checkInterval ?? livenessDefaults.checkInterval,
      maxPeers: options.maxPeers ?? livenessDefaults.maxPeers,
      dropUnhealthy: options.dropUnhealthy ?? false,
      clock: options.clock ?? systemClock,
      monotonic: options.monotonic ?? (() => performance.now()),
      logger: (options.logger ?? noopLogger).child({ component: 'liveness' }),
    }
    if (this.#o.dropUnhealthy && !this.#o.disconnect) {
      throw new RangeError('dropUnhealthy needs a disconnect hook')
    }
  }

  get running(): boolean {
    return this.#stop !== undefined
  }

  /** Starts the periodic silence check; resolves once it is armed. Idempotent. */
  async start(): Promise<void> {
    if (this.#stop) return
    this.#stop = new AbortController()
    if (this.#o.dropUnhealthy && this.#o.disconnect) {
      dropUnhealthyPeers(this.#o.tracker, this.#o.disconnect, this.#stop.signal)
    }
    this.#schedule()
  }

  /** Clears the check timer and aborts base pings in flight. Idempotent. */
  async stop(): Promise<void> {
    if (!this.#stop) return
    this.#stop.abort()
    this.#stop = undefined
    if (this.#timer !== undefined) this.#o.clock.clearTimeout(this.#timer)
    this.#timer = undefined
    for (const e of this.#peers.values()) e.basePing?.abort()
  }

  peerAdded(peer: LivePeer): void {
    this.#o.tracker.add({
      id: peer.id,
      ...(peer.address && { address: peer.address }),
      ...(peer.clientId !== undefined && { clientId: peer.clientId }),
    })
    const existing = this.#peers.get(peer.id)
    existing?.basePing?.abort()
    if (!existing && this.#peers.size >= this.#o.maxPeers) {
      // A safety bound: the server's peer limit is far lower. Evict the longest-monitored.
      const oldest = this.#peers.keys().next().value
      if (oldest !== undefined) this.peerRemoved(oldest)
    }
    this.#peers.set(peer.id, {
      peer,
      nextBasePing: this.#o.clock.now(),
      basePing: undefined,
      silentReported: false,
      pingSentAt: undefined,
    })
  }

  peerRemoved(id: string): void {
    this.#peers.get(id)?.basePing?.abort()
    this.#peers.delete(id)
    this.#o.tracker.remove(id)
  }

  /** Any inbound message from the peer. */
  activity(id: string): void {
    const e = this.#peers.get(id)
    if (!e) return
    e.silentReported = false
    this.#o.tracker.touch(id)
  }

  /**
   * A message event from the p2p layer (pass as the server's message-event sink). Received
   * messages count as activity; the base-protocol Pings the peer layer sends on its own are
   * timed against their Pongs, for peers that do not run ping/1.
   */
  readonly messageEvent = (e: PeerMsgEvent): void => {
    const entry = this.#peers.get(e.peer)
    if (!entry) return
    const base = e.protocol === 'p2p'
    if (e.direction === 'received') {
      this.activity(e.peer)
      if (base && e.code === basePongCode && entry.pingSentAt !== undefined) {
        const rtt = Math.max(0, this.#o.monotonic() - entry.pingSentAt)
        entry.pingSentAt = undefined
        if (!this.#o.ping?.has(e.peer)) this.#o.tracker.recordRtt(e.peer, rtt, 'base')
      }
    } else if (base && e.code === basePingCode && entry.pingSentAt === undefined) {
      entry.pingSentAt = this.#o.monotonic()
    }
  }

  /** A write to the peer failed. */
  writeFailed(id: string): void {
    if (!this.#peers.has(id)) return
    this.#o.tracker.recordFailure(id, 'write-failed')
  }

  /** The peer's link failed (the peer layer saw a read or write error and ended it). */
  linkFailed(id: string): void {
    if (!this.#peers.has(id)) return
    this.#o.tracker.recordFailure(id, 'link-failed')
  }

  /** The peer layer found the peer silent past its own idle timeout. */
  silent(id: string): void {
    const e = this.#peers.get(id)
    if (!e || e.silentReported) return
    e.silentReported = true
    this.#o.tracker.recordFailure(id, 'silent')
  }

  /** Peers the monitor knows, as given to `peerAdded`. */
  peers(): LivePeer[] {
    return [...this.#peers.values()].map((e) => e.peer)
  }

  #schedule(): void {
    this.#timer = this.#o.clock.setTimeout(() => {
      this.#timer = undefined
      if (!this.#stop) return
      this.#check()
      this.#schedule()
    }, this.#o.checkInterval)
  }

  #check(): void {
    const now = this.#o.clock.now()
    for (const [id, e] of this.#peers) {
      const seen = this.#o.tracker.lastSeen(id) ?? now
      if (!e.silentReported && now - seen >= this.#o.silenceTimeout) {
        e.silentReported = true
        this.#o.logger.debug('peer silent', { peer: id.slice(0, 16), ms: now - seen })
        this.#o.tracker.recordFailure(id, 'silent')
      }
      if (e.pingSentAt !== undefined && this.#o.monotonic() - e.pingSentAt >= this.#o.pingTimeout) {
        e.pingSentAt = undefined
        if (!this.#o.ping?.has(id)) this.#o.tracker.recordFailure(id, 'timeout')
      }
      if (this.#o.basePing && !e.basePing && now >= e.nextBasePing && !this.#o.ping?.has(id)) {
        e.nextBasePing = now + this.#o.pingInterval
        void this.#timeBasePing(id, e, this.#o.basePing)
      }
    }
  }

  async #timeBasePing(id: string, e: LiveEntry, basePing: BasePing): Promise<void> {
    const ctl = new AbortController()
    e.basePing = ctl
    let timedOut = false
    const timer = this.#o.clock.setTimeout(() => {
      timedOut = true
      ctl.abort()
    }, this.#o.pingTimeout)
    const start = this.#o.monotonic()
    // Settles on abort even if `basePing` ignores the signal, so no timer outlives `stop()`.
    const aborted = new Promise<never>((_, reject) => {
      const onAbort = () => {
        this.#o.clock.clearTimeout(timer)
        reject(ctl.signal.reason)
      }
      ctl.signal.addEventListener('abort', onAbort, { once: true })
    })
    try {
      await Promise.race([basePing(id, ctl.signal), aborted])
      if (this.#peers.get(id) === e) {
        this.#o.tracker.recordRtt(id, Math.max(0, this.#o.monotonic() - start), 'base')
      }
    } catch {
      if (this.#peers.get(id) === e && this.#stop) {
        this.#o.tracker.recordFailure(id, timedOut ? 'timeout' : 'write-failed')
      }
    } finally {
      this.#o.clock.clearTimeout(timer)
      if (e.basePing === ctl) e.basePing = undefined
    }
  }
}

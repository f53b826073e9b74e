import { type Clock, systemClock, TypedEventTarget } from '@x/core'
import {
  type Classification,
  classify,
  type HealthState,
  type HealthThresholds,
  resolveThresholds,
} from './state.js'
import { RttStats, type RttStatsOptions, type RttSummary } from './stats.js'

/** Where an RTT sample came from: the `ping/1` sub-protocol or base-protocol Ping/Pong. */
export type RttSource = 'ping/1' | 'base'

/**
 * Why a check failed. `timeout` and `mismatch` count towards the failure thresholds;
 * `write-failed`, `link-failed` and `silent` are hard failures: the peer is unhealthy until it
 * is heard again.
 */
export type FailureKind = 'timeout' | 'mismatch' | 'write-failed' | 'link-failed' | 'silent'

const hardFailureText: Partial<Record<FailureKind, string>> = {
  'write-failed': 'write failed',
  'link-failed': 'link failed',
  silent: 'silent past the liveness threshold',
}

/** What the tracker knows of a peer besides its statistics. */
export interface PeerIdentity {
  /** Node ID as 128 lowercase hex characters. */
  id: string
  address?: { ip: string; port: number }
  clientId?: string
}

/** A peer's health as reported by `/health/peers` and `peers()`. Times are wall-clock ms. */
export interface PeerHealth extends PeerIdentity {
  state: HealthState
  reason: string
  rtt: RttSummary
  /** Source of the last RTT sample, if any. */
  rttSource: RttSource | undefined
  lastFailure: FailureKind | undefined
  addedAt: number
  /** Last time anything was heard from the peer (traffic or a successful check). */
  lastSeen: number
}

/** Detail of a `peer:state` event: a peer moved from `previous` to `state`. */
export interface HealthStateChange {
  id: string
  previous: HealthState
  state: HealthState
  reason: string
  lastFailure: FailureKind | undefined
  at: number
}

/** Detail of a `peer:rtt` event: one successful round trip. */
export interface RttSample {
  id: string
  rtt: number
  source: RttSource
}

export interface HealthTrackerEvents extends Record<string, unknown> {
  'peer:state': HealthStateChange
  'peer:rtt': RttSample
}

export interface HealthTrackerOptions extends RttStatsOptions {
  thresholds?: HealthThresholds
  /** Peers tracked at most; adding one more evicts the least recently seen (default 1024). */
  maxPeers?: number
  clock?: Clock
}

export const healthTrackerDefaults = {
  maxPeers: 1024,
}

interface Entry {
  identity: PeerIdentity
  stats: RttStats
  state: Classification
  rttSource: RttSource | undefined
  lastFailure: FailureKind | undefined
  /** Set by a hard failure; cleared by an RTT sample, or by traffic after silence. */
  hardFailure: FailureKind | undefined
  addedAt: number
  lastSeen: number
}

const stateRank: Record<HealthState, number> = { healthy: 0, degraded: 1, unhealthy: 2 }

/**
 * Per-peer RTT statistics and health states. Check runners (the ping protocol, the liveness
 * monitor) feed it samples and failures; it emits `peer:state` on every state change and
 * orders peers by RTT for components that prefer fast peers.
 */
export class HealthTracker extends TypedEventTarget<HealthTrackerEvents> {
  readonly #peers = new Map<string, Entry>()
  readonly #thresholds: Required<HealthThresholds>
  readonly #statsOptions: RttStatsOptions
  readonly #maxPeers: number
  readonly #clock: Clock

  constructor(options: HealthTrackerOptions = {}) {
    super()
    this.#thresholds = resolveThresholds(options.thresholds)
    this.#statsOptions = { window: options.window, ewmaAlpha: options.ewmaAlpha }
    new RttStats(this.#statsOptions) // validates the options up front
    this.#maxPeers = options.maxPeers ?? healthTrackerDefaults.maxPeers
    this.#clock = options.clock ?? systemClock
  }

  get size(): number {
    return this.#peers.size
  }

  /** Starts tracking a peer (idempotent; updates the identity if already tracked). */
  add(identity: PeerIdentity): void {
    const existing = this.#peers.get(identity.id)
    if (existing) {
      existing.identity = { ...existing.identity, ...identity }
      return
    }
    if (this.#peers.size >= this.#maxPeers) this.#evictStalest()
    const now = this.#clock.now()
    this.#peers.set(identity.id, {
      identity: { ...identity },
      stats: new RttStats(this.#statsOptions),
      state: { state: 'healthy', reason: 'new peer' },
      rttSource: undefined,
      lastFailure: undefined,
      hardFailure: undefined,
      addedAt: now,
      lastSeen: now,
    })
  }

  /** Stops tracking a peer (no event). */
  remove(id: string): void {
    this.#peers.delete(id)
  }

  has(id: string): boolean {
    return this.#peers.has(id)
  }

  /** Records a successful round trip of `rtt` ms. Unknown peers are added. */
  recordRtt(id: string, rtt: number, source: RttSource): void {
    const e = this.#entry(id)
    e.stats.addSample(rtt)
    e.rttSource = source
    e.lastSeen = this.#clock.now()
    e.hardFailure = undefined
    this.#reclassify(id, e)
    this.emit('peer:rtt', { id, rtt, source })
  }

  /** Records a failed check. Unknown peers are added. */
  recordFailure(id: string, kind: FailureKind): void {
    const e = this.#entry(id)
    e.stats.addFailure()
    e.lastFailure = kind
    if (hardFailureText[kind] !== undefined) e.hardFailure = kind
    this.#reclassify(id, e)
  }

  /**
   * Notes traffic from a peer (a sign of life, not an RTT sample); clears a `silent` failure.
   * Ignores unknown peers. Cheap: called for every inbound message.
   */
  touch(id: string): void {
    const e = this.#peers.get(id)
    if (!e) return
    e.lastSeen = this.#clock.now()
    if (e.hardFailure === 'silent') {
      e.hardFailure = undefined
      this.#reclassify(id, e)
    }
  }

  /** Last time the peer was heard from, or undefined if not tracked. */
  lastSeen(id: string): number | undefined {
    return this.#peers.get(id)?.lastSeen
  }

  get(id: string): PeerHealth | undefined {
    const e = this.#peers.get(id)
    return e ? snapshot(e) : undefined
  }

  /** Every tracked peer, in insertion order. */
  peers(): PeerHealth[] {
    return [...this.#peers.values()].map(snapshot)
  }

  /**
   * Peers best first: by state (healthy, degraded, unhealthy), then by EWMA RTT; peers without
   * a sample come after those with one in the same state. Unhealthy peers are left out unless
   * `includeUnhealthy`.
   */
  peersByRtt(options: { includeUnhealthy?: boolean } = {}): PeerHealth[] {
    return this.peers()
      .filter((p) => options.includeUnhealthy || p.state !== 'unhealthy')
      .sort(
        (a, b) =>
          stateRank[a.state] - stateRank[b.state] ||
          (a.rtt.ewma ?? Number.POSITIVE_INFINITY) - (b.rtt.ewma ?? Number.POSITIVE_INFINITY),
      )
  }

  /**
   * A sort comparator over node IDs (hex), best first by the same rule as `peersByRtt`;
   * untracked peers sort last. For components choosing among their own peers, e.g.
   * `ids.sort(tracker.compare)` to try the fastest first.
   */
  readonly compare = (a: string, b: string): number => {
    const ea = this.#peers.get(a)
    const eb = this.#peers.get(b)
    const rank = (e: Entry | undefined) => (e ? stateRank[e.state.state] : 3)
    const rtt = (e: Entry | undefined) => e?.stats.ewma ?? Number.POSITIVE_INFINITY
    return rank(ea) - rank(eb) || rtt(ea) - rtt(eb) || 0
  }

  #entry(id: string): Entry {
    if (!this.#peers.has(id)) this.add({ id })
    return this.#peers.get(id)!
  }

  #reclassify(id: string, e: Entry): void {
    const next = classify(
      { ewma: e.stats.ewma, consecutiveFailures: e.stats.consecutiveFailures },
      this.#thresholds,
      e.hardFailure && hardFailureText[e.hardFailure],
    )
    const previous = e.state.state
    e.state = next
    if (next.state !== previous) {
      this.emit('peer:state', {
        id,
        previous,
        state: next.state,
        reason: next.reason,
        lastFailure: e.lastFailure,
        at: this.#clock.now(),
      })
    }
  }

  #evictStalest(): void {
    let stalest: [string, number] | undefined
    for (const [id, e] of this.#peers) {
      if (!stalest || e.lastSeen < stalest[1]) stalest = [id, e.lastSeen]
    }
    if (stalest) this.#peers.delete(stalest[0])
  }
}

function snapshot(e: Entry): PeerHealth {
  return {
    ...e.identity,
    state: e.state.state,
    reason: e.state.reason,
    rtt: e.stats.summary(),
    rttSource: e.rttSource,
    lastFailure: e.lastFailure,
    addedAt: e.addedAt,
    lastSeen: e.lastSeen,
  }
}

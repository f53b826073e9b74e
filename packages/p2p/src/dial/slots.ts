import type { DialKind } from './options.js'

/** Dynamic dialed peers wanted and dials in flight at most. */
export interface DialLimits {
  readonly maxDialPeers: number
  readonly maxActiveDials: number
}

/**
 * The dial scheduler's task and slot accounting: connected peers (whether they fill a dynamic
 * slot) and dials in flight, by node ID in hex. Both are bounded by the server: peers by its
 * maxPeers, dials by `maxActiveDials`.
 */
export class DialSlots {
  /** Connected peers, by ID: whether we dialed them as dynamic (the slot count). */
  readonly #peers = new Map<string, { dynamic: boolean }>()
  readonly #dialing = new Map<string, DialKind>()
  readonly #limits: DialLimits

  constructor(limits: DialLimits) {
    this.#limits = limits
  }

  /** Connected peers. */
  get peers(): number {
    return this.#peers.size
  }

  /** Dials in flight. */
  get dialing(): number {
    return this.#dialing.size
  }

  /** Whether another dial may start now (`maxActiveDials`). */
  get canDial(): boolean {
    return this.#dialing.size < this.#limits.maxActiveDials
  }

  /** Whether `id` is connected or being dialed. */
  busy(id: string): boolean {
    return this.#dialing.has(id) || this.#peers.has(id)
  }

  peerAdded(id: string, dynamic: boolean): void {
    this.#peers.set(id, { dynamic })
  }

  peerRemoved(id: string): void {
    this.#peers.delete(id)
  }

  dialStarted(id: string, kind: DialKind): void {
    this.#dialing.set(id, kind)
  }

  dialDone(id: string): void {
    this.#dialing.delete(id)
  }

  /** Free dynamic dial slots: go-ethereum overdials by 2× as many dials fail. */
  freeDynamic(): number {
    let dynPeers = 0
    for (const p of this.#peers.values()) if (p.dynamic) dynPeers++
    let dynDialing = 0
    for (const k of this.#dialing.values()) if (k === 'dynamic') dynDialing++
    const slots = Math.min((this.#limits.maxDialPeers - dynPeers) * 2, this.#limits.maxActiveDials)
    const free = Math.min(slots - dynDialing, this.#limits.maxActiveDials - this.#dialing.size)
    return Math.max(0, free)
  }
}

import type { Clock } from '@x/core'

/**
 * go-ethereum's `enode` constants for its trackers (`iptrackWindow`, `iptrackContactWindow`,
 * `iptrackMinStatements` in p2p/enode/localnode.go).
 */
export const ipTrackerDefaults = {
  /** Statements older than this are forgotten. */
  windowMs: 5 * 60_000,
  /** Contacts (we sent our endpoint to a host) older than this are forgotten. */
  contactWindowMs: 10 * 60_000,
  /** Statements from distinct hosts that must agree before an endpoint is predicted. */
  minStatements: 10,
  /** Hosts remembered at most in each map; beyond it the oldest entry goes. */
  maxHosts: 1024,
} as const

export interface IpTrackerOptions {
  windowMs?: number
  contactWindowMs?: number
  minStatements?: number
  maxHosts?: number
}

/** An IP and UDP port, as a host told us we are seen. */
export interface UdpEndpoint {
  ip: string
  udp: number
}

const key = (e: UdpEndpoint) => `${e.ip}|${e.udp}`

/**
 * Predicts our external endpoint from what other hosts say it is (go-ethereum's
 * `netutil.IPTracker`): each host's latest statement counts once, statements live for a window,
 * and the endpoint named most often wins once at least `minStatements` hosts agree. Contacts
 * (hosts we sent our endpoint to) tell first-hand statements from solicited ones, for the
 * full-cone NAT prediction.
 */
export class IpTracker {
  readonly #clock: Clock
  readonly #window: number
  readonly #contactWindow: number
  readonly #min: number
  readonly #max: number
  /** By host IP; insertion order is age order (a new statement re-inserts). */
  readonly #statements = new Map<string, { endpoint: UdpEndpoint; time: number }>()
  readonly #contacts = new Map<string, number>()

  constructor(clock: Clock, options: IpTrackerOptions = {}) {
    this.#clock = clock
    this.#window = options.windowMs ?? ipTrackerDefaults.windowMs
    this.#contactWindow = options.contactWindowMs ?? ipTrackerDefaults.contactWindowMs
    this.#min = options.minStatements ?? ipTrackerDefaults.minStatements
    this.#max = options.maxHosts ?? ipTrackerDefaults.maxHosts
  }

  /** Host `host` says our endpoint is `endpoint`; it replaces the host's earlier statement. */
  addStatement(host: string, endpoint: UdpEndpoint): void {
    this.#statements.delete(host)
    this.#statements.set(host, { endpoint: { ...endpoint }, time: this.#clock.now() })
    this.#bound(this.#statements)
  }

  /** We sent our endpoint to `host` (a Ping). */
  addContact(host: string): void {
    this.#contacts.delete(host)
    this.#contacts.set(host, this.#clock.now())
    this.#bound(this.#contacts)
  }

  /** Statements from distinct hosts currently in the window. */
  get size(): number {
    this.#gc()
    return this.#statements.size
  }

  /** The endpoint most hosts name (at least `minStatements` of them), or undefined. */
  predictEndpoint(): UdpEndpoint | undefined {
    this.#gc()
    const counts = new Map<string, number>()
    let best: UdpEndpoint | undefined
    let bestCount = 0
    for (const { endpoint } of this.#statements.values()) {
      const c = (counts.get(key(endpoint)) ?? 0) + 1
      counts.set(key(endpoint), c)
      if (c > bestCount && c >= this.#min) {
        bestCount = c
        best = endpoint
      }
    }
    return best ? { ...best } : undefined
  }

  /**
   * True when some host made a statement without our having contacted it first: it reached
   * us unsolicited, so we are not behind a NAT that drops unsolicited packets (full cone).
   */
  predictFullConeNat(): boolean {
    this.#gc()
    for (const [host, s] of this.#statements) {
      const c = this.#contacts.get(host)
      if (c === undefined || c > s.time) return true
    }
    return false
  }

  #gc(): void {
    const now = this.#clock.now()
    for (const [host, s] of this.#statements) {
      if (s.time >= now - this.#window) break
      this.#statements.delete(host)
    }
    for (const [host, t] of this.#contacts) {
      if (t >= now - this.#contactWindow) break
      this.#contacts.delete(host)
    }
  }

  #bound(map: Map<string, unknown>): void {
    while (map.size > this.#max) {
      const oldest = map.keys().next().value
      if (oldest === undefined) return
      map.delete(oldest)
    }
  }
}

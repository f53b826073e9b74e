import { type Clock, isLoopback } from '@x/core'
import type { Enr } from '../enr/enr.js'
import type { UdpAddress } from '../udp/transport.js'

/** Keys of one session, from our side. */
export interface Session {
  writeKey: Uint8Array
  readKey: Uint8Array
  /** Messages sent: the first 4 bytes of each nonce (go-ethereum's nonceCounter). */
  counter: number
  /** The remote's record, when the handshake carried or found one. */
  enr: Enr | undefined
  /** Nonces of recent messages received (hex), oldest first, to drop replays. */
  seen: Set<string>
  /**
   * The read key of the session this one replaced. When both sides start a handshake at once,
   * each ends up with the other's session; the old key still opens what was sent under it.
   */
  previousReadKey?: Uint8Array | undefined
}

/** A WHOAREYOU we sent and the handshake it awaits. */
export interface Challenge {
  packet: Uint8Array
  challengeData: Uint8Array
  /** The record we held for the node (its seq went in the WHOAREYOU). */
  enr: Enr | undefined
  sentAt: number
}

/**
 * The session cache of discv5-theory.md "Session Cache": established keys in an LRU of
 * `maxSessions`, and WHOAREYOU challenges awaiting their handshake, at most `maxHandshakes`
 * (oldest forgotten first) and each for `handshakeTimeoutMs`. Both are keyed by node ID and
 * UDP endpoint, so a session or handshake is bound to the address it was made with.
 */
export class SessionCache {
  readonly #sessions = new Map<string, Session>()
  readonly #challenges = new Map<string, Challenge>()

  constructor(
    private readonly clock: Clock,
    private readonly maxSessions: number,
    private readonly maxHandshakes: number,
    private readonly handshakeTimeoutMs: number,
  ) {}

  static key(idHex: string, addr: UdpAddress): string {
    return `${idHex}@${addr.ip}:${addr.port}`
  }

  get sessions(): number {
    return this.#sessions.size
  }

  get handshakes(): number {
    return this.#challenges.size
  }

  /** The session, moved to the most recently used end. */
  get(key: string): Session | undefined {
    const s = this.#sessions.get(key)
    if (s) {
      this.#sessions.delete(key)
      this.#sessions.set(key, s)
    }
    return s
  }

  store(key: string, s: Session): void {
    const old = this.#sessions.get(key)
    if (old) s.previousReadKey = old.readKey
    this.#sessions.delete(key)
    this.#sessions.set(key, s)
    if (this.#sessions.size > this.maxSessions) {
      this.#sessions.delete(this.#sessions.keys().next().value!)
    }
  }

  delete(key: string): void {
    this.#sessions.delete(key)
  }

  /** The challenge awaiting a handshake from `key`, unless it timed out. */
  challenge(key: string): Challenge | undefined {
    const c = this.#challenges.get(key)
    if (c && this.clock.now() - c.sentAt > this.handshakeTimeoutMs) {
      this.#challenges.delete(key)
      return undefined
    }
    return c
  }

  storeChallenge(key: string, c: Challenge): void {
    this.#expireChallenges()
    this.#challenges.delete(key)
    this.#challenges.set(key, c)
    if (this.#challenges.size > this.maxHandshakes) {
      this.#challenges.delete(this.#challenges.keys().next().value!)
    }
  }

  deleteChallenge(key: string): void {
    this.#challenges.delete(key)
  }

  /** Challenges are kept in the order sent: expired ones are at the front. */
  #expireChallenges(): void {
    const now = this.clock.now()
    for (const [k, c] of this.#challenges) {
      if (now - c.sentAt <= this.handshakeTimeoutMs) break
      this.#challenges.delete(k)
    }
  }

  clear(): void {
    this.#sessions.clear()
    this.#challenges.clear()
  }
}

/**
 * Fixed one-second windows of WHOAREYOU sends, in all and per IP (both bounded; loopback only
 * counts in all): a flood of
 * packets from unknown nodes costs a bounded number of challenges and no unbounded memory.
 */
export class WhoareyouLimiter {
  #window = -1
  #total = 0
  readonly #perIp = new Map<string, number>()

  constructor(
    private readonly clock: Clock,
    private readonly perSecond: number,
    private readonly perIpPerSecond: number,
    private readonly trackedIps: number,
  ) {}

  allow(ip: string): boolean {
    const w = Math.floor(this.clock.now() / 1000)
    if (w !== this.#window) {
      this.#window = w
      this.#total = 0
      this.#perIp.clear()
    }
    if (this.#total >= this.perSecond) return false
    // Loopback hosts are this machine's own nodes (tests, local networks): only the total counts.
    if (isLoopback(ip)) {
      this.#total++
      return true
    }
    const n = this.#perIp.get(ip) ?? 0
    if (n >= this.perIpPerSecond) return false
    if (n === 0 && this.#perIp.size >= this.trackedIps) return false
    this.#perIp.set(ip, n + 1)
    this.#total++
    return true
  }
}

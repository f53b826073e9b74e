import type { Clock } from '@x/core'
import { dialDefaults } from './options.js'

/**
 * Recently dialed nodes (go-ethereum's dial `history`): node → when it may be dialed again.
 * Insertion order is expiry order, so pruning stops at the first live entry; at `max` entries
 * (default `dialDefaults.maxHistory`) the oldest goes. The server's inbound throttle is one too.
 */
export class DialHistory {
  readonly #until = new Map<string, number>()
  readonly #clock: Clock
  readonly #expiration: number
  readonly #max: number

  constructor(clock: Clock, expiration: number, max: number = dialDefaults.maxHistory) {
    this.#clock = clock
    this.#expiration = expiration
    this.#max = max
  }

  has(id: string): boolean {
    return this.#until.has(id)
  }

  /** Remembers a dial of `id` now: it may not be dialed again for the expiration time. */
  add(id: string): void {
    this.#until.delete(id)
    if (this.#until.size >= this.#max) {
      const oldest = this.#until.keys().next()
      if (!oldest.done) this.#until.delete(oldest.value)
    }
    this.#until.set(id, this.#clock.now() + this.#expiration)
  }

  /** Forgets the entries that expired. */
  prune(): void {
    const now = this.#clock.now()
    for (const [id, until] of this.#until) {
      if (until > now) break
      this.#until.delete(id)
    }
  }

  clear(): void {
    this.#until.clear()
  }

  /** When the oldest entry expires; undefined when empty. */
  nextExpiry(): number | undefined {
    const first = this.#until.values().next()
    return first.done ? undefined : first.value
  }
}

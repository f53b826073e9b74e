/**
 * Token buckets by key (a per-source packet budget): each key may spend `burst` tokens at once
 * and regains `rate` per second on the injected clock. Bounded: at most `maxKeys` buckets, the
 * least recently used evicted beyond it (an evicted key starts again with a full bucket).
 */
export class TokenBuckets {
  readonly #buckets = new Map<string, { tokens: number; at: number }>()
  readonly #rate: number
  readonly #burst: number
  readonly #maxKeys: number

  constructor(rate: number, burst: number, maxKeys: number) {
    this.#rate = rate
    this.#burst = burst
    this.#maxKeys = maxKeys
  }

  /** Takes one token of `key` at `nowMs`; false when its bucket is empty. */
  take(key: string, nowMs: number): boolean {
    let b = this.#buckets.get(key)
    if (b) {
      // Re-inserted below: Map order is the LRU order.
      this.#buckets.delete(key)
      b.tokens = Math.min(this.#burst, b.tokens + (Math.max(0, nowMs - b.at) / 1000) * this.#rate)
      b.at = nowMs
    } else {
      if (this.#buckets.size >= this.#maxKeys) {
        const oldest = this.#buckets.keys().next().value
        if (oldest !== undefined) this.#buckets.delete(oldest)
      }
      b = { tokens: this.#burst, at: nowMs }
    }
    this.#buckets.set(key, b)
    if (b.tokens < 1) return false
    b.tokens -= 1
    return true
  }

  get size(): number {
    return this.#buckets.size
  }

  clear(): void {
    this.#buckets.clear()
  }
}

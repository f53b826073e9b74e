import { toHex } from '@x/core'

/**
 * A bounded set of hashes a peer is known to have (go-ethereum's `knownCache`): at most `max`
 * entries; adding to a full set evicts the oldest first (a Set iterates in insertion order).
 */
export class KnownCache {
  readonly #set = new Set<string>()

  constructor(readonly max: number) {}

  add(...hashes: Uint8Array[]): void {
    for (const h of hashes) {
      const key = toHex(h)
      if (this.#set.has(key)) continue
      while (this.#set.size >= this.max) {
        const oldest = this.#set.values().next().value as string
        this.#set.delete(oldest)
      }
      this.#set.add(key)
    }
  }

  has(hash: Uint8Array): boolean {
    return this.#set.has(toHex(hash))
  }

  get size(): number {
    return this.#set.size
  }
}

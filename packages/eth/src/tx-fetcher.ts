import type { Clock } from '@x/core'
import { toHex } from '@x/core'
import type { TxPool } from './backend.js'
import { KnownCache } from './known-cache.js'
import type { EthPeer } from './peer.js'

/** How long an announced transaction may take to arrive in full before we request it. */
export const txArriveTimeout = 500
/** Transaction hashes requested from some peer recently; not requested again from others. */
const maxRequestedTxs = 4096
/** Announced hashes waiting to be requested; later announcements are ignored when full. */
const maxWaitingTxs = 4096
/** Hashes per GetPooledTransactions we send. */
const maxTxRequest = 256

/**
 * Fetches announced transactions (go-ethereum's tx fetcher, reduced): an announced hash waits
 * {@link txArriveTimeout} for a full copy to arrive by broadcast, then is requested from the first
 * peer that announced it, unless the pool has it by then. A hash is requested once.
 */
export class TxFetcher {
  readonly #requested = new KnownCache(maxRequestedTxs)
  readonly #waiting = new Map<string, { hash: Uint8Array; peer: EthPeer }>()
  #timer: ReturnType<Clock['setTimeout']> | undefined

  constructor(
    private readonly clock: Clock,
    private readonly pool: TxPool,
    /** Whether `peer` is still registered (requests go only to live peers). */
    private readonly isLive: (peer: EthPeer) => boolean,
  ) {}

  /** Hashes `peer` announced: the unknown ones wait for their full copies. */
  notify(peer: EthPeer, hashes: Uint8Array[]): void {
    for (const h of hashes) {
      if (this.pool.has(h) || this.#requested.has(h) || this.#waiting.size >= maxWaitingTxs)
        continue
      const key = toHex(h)
      if (!this.#waiting.has(key)) this.#waiting.set(key, { hash: h, peer })
    }
    this.#schedule()
  }

  /** Number of announced hashes waiting. */
  get waiting(): number {
    return this.#waiting.size
  }

  close(): void {
    if (this.#timer !== undefined) this.clock.clearTimeout(this.#timer)
    this.#timer = undefined
    this.#waiting.clear()
  }

  #schedule(): void {
    if (this.#timer !== undefined || this.#waiting.size === 0) return
    this.#timer = this.clock.setTimeout(() => {
      this.#timer = undefined
      this.#request()
    }, txArriveTimeout)
  }

  #request(): void {
    const byPeer = new Map<EthPeer, Uint8Array[]>()
    for (const { hash, peer } of this.#waiting.values()) {
      if (this.pool.has(hash) || !this.isLive(peer)) continue
      this.#requested.add(hash)
      const list = byPeer.get(peer)
      if (list) list.push(hash)
      else byPeer.set(peer, [hash])
    }
    this.#waiting.clear()
    for (const [peer, hashes] of byPeer) {
      for (let i = 0; i < hashes.length; i += maxTxRequest) {
        // Not awaited: the response arrives through the peer's message loop.
        peer.requestPooledTransactions(hashes.slice(i, i + maxTxRequest)).catch(() => {})
      }
    }
  }
}

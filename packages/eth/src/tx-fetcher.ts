import type { Clock } from '@x/core'
import { toHex } from '@x/core'
import type { TxPool } from './backend.js'
import { blobTxType, type TxMeta } from './blob-tx.js'
import { EthError } from './errors.js'
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
/** Announced (type, size) pairs kept to check deliveries against; the oldest hash is evicted. */
const maxAnnouncedTxs = 8192
/** Announcers remembered per hash; later ones are not checked. */
const maxAnnouncersPerTx = 8
/**
 * Bytes an announced size may differ from the delivered one (go-ethereum's tx fetcher tolerates
 * 8, for "RLP vs consensus format messiness").
 */
const sizeSlack = 8

/** What a peer announced of one transaction (eth/68+ NewPooledTransactionHashes). */
interface Announced {
  type: number
  size: number
  /** eth/72 announcers give a blob transaction's size without its blobs. */
  version: number
}

/**
 * Fetches announced transactions (go-ethereum's tx fetcher, reduced): an announced hash waits
 * {@link txArriveTimeout} for a full copy to arrive by broadcast, then is requested from the best
 * ranked live peer of those that announced it (the first announcer without a ranking), unless
 * the pool has it by then. A hash is requested once. Every delivered transaction is checked
 * against the type and size its announcers gave: a mismatch drops that announcer, as
 * go-ethereum does.
 */
export class TxFetcher {
  readonly #requested = new KnownCache(maxRequestedTxs)
  /** Hashes waiting, with up to {@link maxAnnouncersPerTx} of their announcers in order. */
  readonly #waiting = new Map<string, { hash: Uint8Array; peers: EthPeer[] }>()
  readonly #announced = new Map<string, Map<EthPeer, Announced>>()
  #timer: ReturnType<Clock['setTimeout']> | undefined

  constructor(
    private readonly clock: Clock,
    private readonly pool: TxPool,
    /** Whether `peer` is still registered (requests go only to live peers). */
    private readonly isLive: (peer: EthPeer) => boolean,
    /** Drops a peer whose announcement disagreed with what was delivered. */
    private readonly drop: (peer: EthPeer, err: EthError) => void = () => {},
    /** Orders peers best first (`PeerSet.ranked`); default: as given (announcement order). */
    private readonly rank: (peers: EthPeer[]) => EthPeer[] = (peers) => peers,
  ) {}

  /**
   * Hashes `peer` announced, with their types and sizes when given: the unknown ones wait for
   * their full copies.
   */
  notify(peer: EthPeer, hashes: Uint8Array[], meta?: { types: Uint8Array; sizes: number[] }): void {
    for (const [i, h] of hashes.entries()) {
      const key = toHex(h)
      if (meta) this.#remember(key, peer, meta.types[i] as number, meta.sizes[i] as number)
      if (this.pool.has(h) || this.#requested.has(h)) continue
      const waiting = this.#waiting.get(key)
      if (waiting) {
        if (waiting.peers.length < maxAnnouncersPerTx && !waiting.peers.includes(peer))
          waiting.peers.push(peer)
      } else if (this.#waiting.size < maxWaitingTxs) {
        this.#waiting.set(key, { hash: h, peers: [peer] })
      }
    }
    this.#schedule()
  }

  /**
   * Transactions delivered (in a reply or a broadcast): each announcer whose type differs, or
   * whose size differs by more than {@link sizeSlack} bytes, is dropped (go-ethereum's
   * `TxFetcher` cleanup).
   */
  delivered(txs: { hash: Uint8Array; meta: TxMeta }[]): void {
    for (const { hash, meta } of txs) {
      const key = toHex(hash)
      const announcers = this.#announced.get(key)
      if (!announcers) continue
      this.#announced.delete(key)
      for (const [peer, ann] of announcers) {
        const size =
          meta.type === blobTxType && ann.version >= 72 ? meta.sizeWithoutBlobs : meta.size
        if (ann.type !== meta.type) {
          this.drop(
            peer,
            new EthError(
              'ERR_ANNOUNCE_MISMATCH',
              `announced type ${ann.type} of ${key}, delivered ${meta.type}`,
            ),
          )
        } else if (Math.abs(size - ann.size) > sizeSlack) {
          this.drop(
            peer,
            new EthError(
              'ERR_ANNOUNCE_MISMATCH',
              `announced size ${ann.size} of ${key}, delivered ${size}`,
            ),
          )
        }
      }
    }
  }

  /** Number of announced hashes waiting. */
  get waiting(): number {
    return this.#waiting.size
  }

  close(): void {
    if (this.#timer !== undefined) this.clock.clearTimeout(this.#timer)
    this.#timer = undefined
    this.#waiting.clear()
    this.#announced.clear()
  }

  #remember(key: string, peer: EthPeer, type: number, size: number): void {
    let announcers = this.#announced.get(key)
    if (!announcers) {
      if (this.#announced.size >= maxAnnouncedTxs) {
        const oldest = this.#announced.keys().next().value
        if (oldest !== undefined) this.#announced.delete(oldest)
      }
      announcers = new Map()
      this.#announced.set(key, announcers)
    }
    if (announcers.size < maxAnnouncersPerTx || announcers.has(peer)) {
      announcers.set(peer, { type, size, version: peer.version })
    }
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
    for (const { hash, peers } of this.#waiting.values()) {
      if (this.pool.has(hash)) continue
      const peer = this.rank(peers.filter(this.isLive))[0]
      if (!peer) continue
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

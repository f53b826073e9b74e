import type { Clock } from '@x/core'
import type { Backend } from './backend.js'
import { txHash } from './messages/transactions.js'
import type { EthPeer } from './peer.js'

/** Received transactions waiting to be propagated; the oldest are dropped (the pool keeps them). */
const maxBroadcastBatch = 4096

/**
 * Transactions received from peers, added to the pool and propagated together on the next timer
 * tick rather than at once (go-ethereum's pool → NewTxsEvent → broadcast loop is asynchronous
 * the same way): copies and announcements of the same transactions that other peers sent
 * meanwhile are marked first, so those peers are not sent it in full.
 */
export class TxBroadcastBatch {
  readonly #clock: Clock
  readonly #backend: Backend
  readonly #broadcast: (txs: Uint8Array[]) => void
  readonly #pending: Uint8Array[] = []
  #timer: ReturnType<Clock['setTimeout']> | undefined

  constructor(clock: Clock, backend: Backend, broadcast: (txs: Uint8Array[]) => void) {
    this.#clock = clock
    this.#backend = backend
    this.#broadcast = broadcast
  }

  /**
   * Marks the sender as knowing each transaction, adds them to the pool, queues the new ones;
   * returns those that were new to the pool.
   */
  receive(peer: EthPeer, txs: Uint8Array[]): Uint8Array[] {
    for (const tx of txs) peer.markTransaction(txHash(tx))
    const added = this.#backend.txPool.add(txs)
    if (added.length === 0) return added
    for (const tx of added) this.#pending.push(tx)
    // Trimmed once, not shifted per transaction: a large message would make that quadratic.
    const excess = this.#pending.length - maxBroadcastBatch
    if (excess > 0) this.#pending.splice(0, excess)
    if (this.#timer !== undefined) return added
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined
      this.#broadcast(this.#pending.splice(0))
    }, 0)
    return added
  }

  /** Clears the timer and drops what was queued. */
  close(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer)
    this.#timer = undefined
    this.#pending.length = 0
  }
}

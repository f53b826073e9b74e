import { type Clock, type Logger, noopLogger, systemClock, type TimerHandle } from '@x/core'
import type { MsgReadWriter, ProtocolPeer } from '@x/p2p'
import { EthError } from './errors.js'
import { blockParts, headerHash } from './header.js'
import { KnownCache } from './known-cache.js'
import {
  encodeNewBlock,
  encodeNewBlockHashes,
  encodeNewPooledTransactionHashes,
} from './messages/announce.js'
import { encodeBlockBodies, encodeGetBlockBodies } from './messages/bodies.js'
import { type EthVersion, MsgCode } from './messages/codes.js'
import {
  encodeBlockHeaders,
  encodeGetBlockHeaders,
  type GetBlockHeaders,
} from './messages/headers.js'
import { encodeGetReceipts, encodeReceipts } from './messages/receipts.js'
import type { BlockRange, Status } from './messages/status.js'
import {
  encodeGetPooledTransactions,
  encodePooledTransactions,
  encodeTransactions,
  txHash,
  txType,
} from './messages/transactions.js'
import { SendQueue } from './send-queue.js'

/**
 * Per-peer limits, as go-ethereum's eth/protocols/eth/peer.go (`maxKnownTxs`, `maxKnownBlocks`,
 * `maxQueuedTxs`, `maxQueuedTxAnns`, `maxQueuedBlocks`, `maxQueuedBlockAnns`).
 */
export const peerDefaults = {
  maxKnownTxs: 32_768,
  maxKnownBlocks: 1024,
  /** Transactions (or announcements) waiting to be sent; the oldest are dropped. */
  maxQueuedTxs: 4096,
  maxQueuedTxAnns: 4096,
  /** Blocks (or block announcements) waiting to be sent; the oldest are dropped. */
  maxQueuedBlocks: 4,
  maxQueuedBlockAnns: 4,
  /** Requests in flight at once; more are refused. */
  maxPendingRequests: 256,
  requestTimeout: 10_000,
  /** Transactions per Transactions message sent from the queue. */
  txBatch: 256,
} as const

export interface EthPeerOptions {
  clock?: Clock
  logger?: Logger
  requestTimeout?: number
}

/** What we know of the peer's chain: its head and, from eth/68 peers, total difficulty. */
export interface PeerHead {
  hash: Uint8Array
  number?: number
  td?: bigint
}

interface Pending {
  code: number
  resolve(items: Uint8Array[]): void
  reject(err: unknown): void
  timer: TimerHandle
}

/** Response codes and the request code each answers. */
const responseOf: Record<number, number> = {
  [MsgCode.BlockHeaders]: MsgCode.GetBlockHeaders,
  [MsgCode.BlockBodies]: MsgCode.GetBlockBodies,
  [MsgCode.Receipts]: MsgCode.GetReceipts,
  [MsgCode.PooledTransactions]: MsgCode.GetPooledTransactions,
}

/**
 * An eth peer (go-ethereum's `eth.Peer`): the p2p peer and its eth reader/writer with the
 * negotiated version, what we know of its chain, the bounded sets of transactions and blocks
 * it knows, background send queues that never block the caller, and request helpers that match
 * responses by request id.
 */
export class EthPeer {
  readonly id: string
  readonly knownTxs = new KnownCache(peerDefaults.maxKnownTxs)
  readonly knownBlocks = new KnownCache(peerDefaults.maxKnownBlocks)
  #head: PeerHead
  #range: BlockRange | undefined
  readonly #clock: Clock
  readonly #logger: Logger
  readonly #requestTimeout: number
  readonly #pending = new Map<bigint, Pending>()
  #nextRequestId: bigint
  #closed = false
  readonly #txQueue: SendQueue<Uint8Array>
  readonly #txAnnQueue: SendQueue<Uint8Array>
  readonly #blockQueue: SendQueue<{ block: Uint8Array; td: bigint }>
  readonly #blockAnnQueue: SendQueue<{ hash: Uint8Array; number: number }>

  constructor(
    readonly peer: ProtocolPeer,
    readonly rw: MsgReadWriter,
    readonly version: EthVersion,
    /** The Status the peer sent in the handshake (its network id, genesis, fork id). */
    readonly status: Status,
    options: EthPeerOptions = {},
  ) {
    this.id = peer.idHex
    this.#clock = options.clock ?? systemClock
    this.#logger = options.logger ?? noopLogger
    this.#requestTimeout = options.requestTimeout ?? peerDefaults.requestTimeout
    this.#nextRequestId = BigInt(Math.floor(Math.random() * 2 ** 32))
    if (status.version === 68) {
      this.#head = { hash: status.head, td: status.td }
    } else {
      this.#head = { hash: status.latestHash, number: status.latestBlock }
      this.#range = {
        earliestBlock: status.earliestBlock,
        latestBlock: status.latestBlock,
        latestHash: status.latestHash,
      }
    }
    const onError = (err: unknown) =>
      this.#logger.debug('eth send failed', { id: this.id, err: String(err) })
    this.#txQueue = new SendQueue(
      peerDefaults.maxQueuedTxs,
      peerDefaults.txBatch,
      (txs) => this.sendTransactions(txs),
      onError,
    )
    this.#txAnnQueue = new SendQueue(
      peerDefaults.maxQueuedTxAnns,
      peerDefaults.maxQueuedTxAnns,
      (txs) => this.sendPooledTransactionHashes(txs),
      onError,
    )
    this.#blockQueue = new SendQueue(
      peerDefaults.maxQueuedBlocks,
      1,
      ([b]) => (b ? this.sendNewBlock(b.block, b.td) : Promise.resolve()),
      onError,
    )
    this.#blockAnnQueue = new SendQueue(
      peerDefaults.maxQueuedBlockAnns,
      peerDefaults.maxQueuedBlockAnns,
      (anns) => this.sendNewBlockHashes(anns),
      onError,
    )
  }

  /** The peer's head as last announced (Status, NewBlock, BlockRangeUpdate). */
  get head(): PeerHead {
    return this.#head
  }

  setHead(head: PeerHead): void {
    this.#head = head
  }

  /** The eth/69 block range the peer serves, when known. */
  get blockRange(): BlockRange | undefined {
    return this.#range
  }

  setBlockRange(range: BlockRange): void {
    this.#range = range
    this.#head = { hash: range.latestHash, number: range.latestBlock }
  }

  markTransaction(hash: Uint8Array): void {
    this.knownTxs.add(hash)
  }

  markBlock(hash: Uint8Array): void {
    this.knownBlocks.add(hash)
  }

  knowsTransaction(hash: Uint8Array): boolean {
    return this.knownTxs.has(hash)
  }

  knowsBlock(hash: Uint8Array): boolean {
    return this.knownBlocks.has(hash)
  }

  /** Sends full transactions now and marks them known. */
  sendTransactions(txs: Uint8Array[]): Promise<void> {
    for (const tx of txs) this.markTransaction(txHash(tx))
    return this.rw.writeMsg(MsgCode.Transactions, encodeTransactions(txs))
  }

  /** Queues full transactions; never blocks; the oldest queued are dropped when full. */
  asyncSendTransactions(txs: Uint8Array[]): void {
    this.#txQueue.push(txs)
  }

  /** Announces transactions (eth/68 form: types, sizes, hashes) now and marks them known. */
  sendPooledTransactionHashes(txs: Uint8Array[]): Promise<void> {
    const hashes = txs.map(txHash)
    for (const h of hashes) this.markTransaction(h)
    return this.rw.writeMsg(
      MsgCode.NewPooledTransactionHashes,
      encodeNewPooledTransactionHashes({
        types: Uint8Array.from(txs.map(txType)),
        sizes: txs.map((t) => t.length),
        hashes,
      }),
    )
  }

  /** Queues transaction announcements; never blocks; drops the oldest when full. */
  asyncSendPooledTransactionHashes(txs: Uint8Array[]): void {
    this.#txAnnQueue.push(txs)
  }

  /** Sends a full block (eth/68 only; eth/69 has no NewBlock) and marks it known. */
  sendNewBlock(block: Uint8Array, td: bigint): Promise<void> {
    if (this.version >= 69) return Promise.resolve()
    const header = blockParts(block)[0] as Uint8Array
    this.markBlock(headerHash(header))
    return this.rw.writeMsg(MsgCode.NewBlock, encodeNewBlock({ block, td }))
  }

  asyncSendNewBlock(block: Uint8Array, td: bigint): void {
    if (this.version >= 69) return
    this.#blockQueue.push([{ block, td }])
  }

  /** Announces block hashes (eth/68 only) and marks them known. */
  sendNewBlockHashes(anns: { hash: Uint8Array; number: number }[]): Promise<void> {
    if (this.version >= 69) return Promise.resolve()
    for (const a of anns) this.markBlock(a.hash)
    return this.rw.writeMsg(MsgCode.NewBlockHashes, encodeNewBlockHashes(anns))
  }

  asyncSendNewBlockHash(hash: Uint8Array, number: number): void {
    if (this.version >= 69) return
    this.#blockAnnQueue.push([{ hash, number }])
  }

  /** Dropped queue entries so far (transactions, announcements, blocks). */
  get dropped(): number {
    return (
      this.#txQueue.dropped +
      this.#txAnnQueue.dropped +
      this.#blockQueue.dropped +
      this.#blockAnnQueue.dropped
    )
  }

  replyBlockHeaders(requestId: bigint, headers: Uint8Array[]): Promise<void> {
    return this.rw.writeMsg(MsgCode.BlockHeaders, encodeBlockHeaders({ requestId, headers }))
  }

  replyBlockBodies(requestId: bigint, bodies: Uint8Array[]): Promise<void> {
    return this.rw.writeMsg(MsgCode.BlockBodies, encodeBlockBodies({ requestId, bodies }))
  }

  replyReceipts(requestId: bigint, receipts: Uint8Array[]): Promise<void> {
    return this.rw.writeMsg(MsgCode.Receipts, encodeReceipts({ requestId, receipts }))
  }

  replyPooledTransactions(requestId: bigint, txs: Uint8Array[]): Promise<void> {
    return this.rw.writeMsg(
      MsgCode.PooledTransactions,
      encodePooledTransactions({ requestId, txs }),
    )
  }

  /** Requests headers; resolves with the raw headers of the matching response. */
  requestHeaders(
    query: Omit<GetBlockHeaders, 'requestId'>,
    signal?: AbortSignal,
  ): Promise<Uint8Array[]> {
    return this.#request(
      MsgCode.GetBlockHeaders,
      (requestId) => encodeGetBlockHeaders({ requestId, ...query }),
      signal,
    )
  }

  requestBodies(hashes: Uint8Array[], signal?: AbortSignal): Promise<Uint8Array[]> {
    return this.#request(
      MsgCode.GetBlockBodies,
      (requestId) => encodeGetBlockBodies({ requestId, hashes }),
      signal,
    )
  }

  requestReceipts(hashes: Uint8Array[], signal?: AbortSignal): Promise<Uint8Array[]> {
    return this.#request(
      MsgCode.GetReceipts,
      (requestId) => encodeGetReceipts({ requestId, hashes }),
      signal,
    )
  }

  requestPooledTransactions(hashes: Uint8Array[], signal?: AbortSignal): Promise<Uint8Array[]> {
    return this.#request(
      MsgCode.GetPooledTransactions,
      (requestId) => encodeGetPooledTransactions({ requestId, hashes }),
      signal,
    )
  }

  /**
   * Hands a response to the request waiting for it. Returns false when no request with that id
   * and code is pending (late, duplicate or unsolicited): the caller decides what that costs.
   */
  deliver(code: number, requestId: bigint, items: Uint8Array[]): boolean {
    const p = this.#pending.get(requestId)
    if (!p || responseOf[code] !== p.code) return false
    this.#pending.delete(requestId)
    this.#clock.clearTimeout(p.timer)
    p.resolve(items)
    return true
  }

  /** Number of requests in flight. */
  get pendingRequests(): number {
    return this.#pending.size
  }

  /** Fails pending requests and stops the send queues. Idempotent. */
  close(): void {
    if (this.#closed) return
    this.#closed = true
    this.#txQueue.close()
    this.#txAnnQueue.close()
    this.#blockQueue.close()
    this.#blockAnnQueue.close()
    for (const [id, p] of this.#pending) {
      this.#clock.clearTimeout(p.timer)
      p.reject(new EthError('ERR_REQUEST_TIMEOUT', `request ${id}: peer closed`))
    }
    this.#pending.clear()
  }

  #request(
    code: number,
    encode: (id: bigint) => Uint8Array,
    signal?: AbortSignal,
  ): Promise<Uint8Array[]> {
    if (this.#closed) return Promise.reject(new EthError('ERR_REQUEST_TIMEOUT', 'peer closed'))
    if (this.#pending.size >= peerDefaults.maxPendingRequests) {
      return Promise.reject(new EthError('ERR_REQUEST_TIMEOUT', 'too many requests in flight'))
    }
    signal?.throwIfAborted()
    const requestId = this.#nextRequestId
    this.#nextRequestId = (this.#nextRequestId + 1n) & 0xffff_ffff_ffff_ffffn
    return new Promise<Uint8Array[]>((resolve, reject) => {
      const done = () => signal?.removeEventListener('abort', onAbort)
      const onAbort = () => {
        const p = this.#pending.get(requestId)
        if (!p) return
        this.#pending.delete(requestId)
        this.#clock.clearTimeout(p.timer)
        reject(signal?.reason)
      }
      const timer = this.#clock.setTimeout(() => {
        this.#pending.delete(requestId)
        done()
        reject(new EthError('ERR_REQUEST_TIMEOUT', `request ${requestId} (code ${code}) timed out`))
      }, this.#requestTimeout)
      this.#pending.set(requestId, {
        code,
        timer,
        resolve: (items) => {
          done()
          resolve(items)
        },
        reject: (err) => {
          done()
          reject(err)
        },
      })
      signal?.addEventListener('abort', onAbort, { once: true })
      this.rw.writeMsg(code, encode(requestId)).catch((err: unknown) => {
        const p = this.#pending.get(requestId)
        if (!p) return
        this.#pending.delete(requestId)
        this.#clock.clearTimeout(timer)
        p.reject(err)
      })
    })
  }
}

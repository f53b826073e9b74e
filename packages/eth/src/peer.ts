import { type Clock, type Logger, noopLogger, systemClock } from '@x/core'
import type { MsgReadWriter, ProtocolPeer } from '@x/p2p'
import { blobTxType, txSize } from './blob-tx.js'
import { EthError } from './errors.js'
import { blockParts, headerHash } from './header.js'
import { KnownCache } from './known-cache.js'
import { encodeBlockAccessLists, encodeGetBlockAccessLists } from './messages/access-lists.js'
import {
  encodeNewBlock,
  encodeNewBlockHashes,
  encodeNewPooledTransactionHashes,
} from './messages/announce.js'
import { encodeBlockBodies, encodeGetBlockBodies } from './messages/bodies.js'
import { type Cells, encodeCells, encodeGetCells } from './messages/cells.js'
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
import { peerDefaults } from './peer-limits.js'
import { Requests } from './requests.js'
import { SendQueue } from './send-queue.js'

export { peerDefaults }

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
  readonly #logger: Logger
  readonly #requests: Requests
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
    this.#logger = options.logger ?? noopLogger
    this.#requests = new Requests(
      options.clock ?? systemClock,
      options.requestTimeout ?? peerDefaults.requestTimeout,
      peerDefaults.maxPendingRequests,
      (code, payload) => this.rw.writeMsg(code, payload),
    )
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
      (tx) => tx.length,
      peerDefaults.maxTxPacketSize,
    )
    this.#txAnnQueue = new SendQueue(
      peerDefaults.maxQueuedTxAnns,
      peerDefaults.maxQueuedTxAnns,
      (txs) => this.sendPooledTransactionHashes(txs),
      onError,
      () => 32,
      peerDefaults.maxTxPacketSize,
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

  /**
   * Announces transactions (eth/68+ form: types, sizes as go-ethereum's `Transaction.Size`,
   * hashes; eth/72 adds an empty custody bitmap) now and marks them known. Blob transactions are
   * not announced to eth/72 peers: they would fetch the blobs as cells, which we do not hold.
   */
  sendPooledTransactionHashes(txs: Uint8Array[]): Promise<void> {
    const list = this.version >= 72 ? txs.filter((t) => txType(t) !== blobTxType) : txs
    const hashes = list.map(txHash)
    for (const h of hashes) this.markTransaction(h)
    if (list.length === 0) return Promise.resolve()
    return this.rw.writeMsg(
      MsgCode.NewPooledTransactionHashes,
      encodeNewPooledTransactionHashes(
        { types: Uint8Array.from(list.map(txType)), sizes: list.map(txSize), hashes },
        this.version,
      ),
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

  replyReceipts(
    requestId: bigint,
    receipts: Uint8Array[],
    lastBlockIncomplete = false,
  ): Promise<void> {
    return this.rw.writeMsg(
      MsgCode.Receipts,
      encodeReceipts({ requestId, receipts, lastBlockIncomplete }, this.version),
    )
  }

  replyPooledTransactions(requestId: bigint, txs: Uint8Array[]): Promise<void> {
    return this.rw.writeMsg(
      MsgCode.PooledTransactions,
      encodePooledTransactions({ requestId, txs }),
    )
  }

  replyBlockAccessLists(requestId: bigint, accessLists: Uint8Array[]): Promise<void> {
    return this.rw.writeMsg(
      MsgCode.BlockAccessLists,
      encodeBlockAccessLists({ requestId, accessLists }),
    )
  }

  replyCells(r: Cells): Promise<void> {
    return this.rw.writeMsg(MsgCode.Cells, encodeCells(r))
  }

  /** Requests headers; resolves with the raw headers of the matching response. */
  async requestHeaders(
    query: Omit<GetBlockHeaders, 'requestId'>,
    signal?: AbortSignal,
  ): Promise<Uint8Array[]> {
    const r = await this.#requests.send(
      MsgCode.GetBlockHeaders,
      query.amount,
      (requestId) => encodeGetBlockHeaders({ requestId, ...query }),
      signal,
    )
    return r.items
  }

  async requestBodies(hashes: Uint8Array[], signal?: AbortSignal): Promise<Uint8Array[]> {
    const r = await this.#requests.send(
      MsgCode.GetBlockBodies,
      hashes.length,
      (requestId) => encodeGetBlockBodies({ requestId, hashes }),
      signal,
    )
    return r.items
  }

  /**
   * Requests receipts (one raw list per block). From eth/70 a reply may stop inside the last
   * block: the result then says `lastBlockIncomplete`, and a request with
   * `firstBlockReceiptIndex` resumes it (EIP-7975).
   */
  async requestReceipts(
    hashes: Uint8Array[],
    signal?: AbortSignal,
    firstBlockReceiptIndex = 0,
  ): Promise<Uint8Array[] & { lastBlockIncomplete?: boolean }> {
    const r = await this.#requests.send<boolean | undefined>(
      MsgCode.GetReceipts,
      hashes.length,
      (requestId) => encodeGetReceipts({ requestId, hashes, firstBlockReceiptIndex }, this.version),
      signal,
    )
    const items: Uint8Array[] & { lastBlockIncomplete?: boolean } = r.items
    if (r.extra !== undefined) items.lastBlockIncomplete = r.extra
    return items
  }

  async requestPooledTransactions(
    hashes: Uint8Array[],
    signal?: AbortSignal,
  ): Promise<Uint8Array[]> {
    const r = await this.#requests.send(
      MsgCode.GetPooledTransactions,
      hashes.length,
      (requestId) => encodeGetPooledTransactions({ requestId, hashes }),
      signal,
    )
    return r.items
  }

  /** Requests block access lists (eth/71); an unavailable one comes back as 0x80. */
  async requestBlockAccessLists(hashes: Uint8Array[], signal?: AbortSignal): Promise<Uint8Array[]> {
    if (this.version < 71)
      throw new EthError('ERR_INVALID_MSG_CODE', 'GetBlockAccessLists needs eth/71')
    const r = await this.#requests.send(
      MsgCode.GetBlockAccessLists,
      hashes.length,
      (requestId) => encodeGetBlockAccessLists({ requestId, hashes }),
      signal,
    )
    return r.items
  }

  /** Requests the `mask` cells of blob transactions (eth/72). */
  async requestCells(
    hashes: Uint8Array[],
    mask: Uint8Array,
    signal?: AbortSignal,
  ): Promise<Omit<Cells, 'requestId'>> {
    if (this.version < 72) throw new EthError('ERR_INVALID_MSG_CODE', 'GetCells needs eth/72')
    const r = await this.#requests.send<Omit<Cells, 'requestId'>>(
      MsgCode.GetCells,
      hashes.length,
      (requestId) => encodeGetCells({ requestId, hashes, mask }),
      signal,
    )
    return r.extra
  }

  /** Checks a response against the requests sent; throws to drop the peer (see `Requests`). */
  fulfil(code: number, requestId: bigint, items: number): void {
    this.#requests.fulfil(code, requestId, items)
  }

  /**
   * Hands a response to the request waiting for it. Returns false when no request with that id
   * and code is pending (late, duplicate or unsolicited): the caller decides what that costs.
   */
  deliver(code: number, requestId: bigint, items: Uint8Array[], extra?: unknown): boolean {
    return this.#requests.deliver(code, requestId, items, extra)
  }

  /** Number of requests in flight. */
  get pendingRequests(): number {
    return this.#requests.size
  }

  /** Fails pending requests and stops the send queues. Idempotent. */
  close(): void {
    if (this.#closed) return
    this.#closed = true
    this.#txQueue.close()
    this.#txAnnQueue.close()
    this.#blockQueue.close()
    this.#blockAnnQueue.close()
    this.#requests.close()
  }
}

import {
  type Clock,
  encodeList,
  equalBytes,
  splitList,
  systemClock,
  type TimerHandle,
  toHex,
} from '@x/core'
import type { Backend, ChainHead, ChainReader, TxPool } from './backend.js'
import { blobTxType } from './blob-tx.js'
import { type ChainConfig, emptyRootHash } from './chain.js'
import { EthError } from './errors.js'
import { type BlockHeader, blockParts, decodeHeader, encodeHeader, headerHash } from './header.js'
import { txHash, txType } from './messages/transactions.js'

export const memoryChainDefaults = {
  /** Blocks kept besides genesis; older ones are dropped (and `earliest` moves up). */
  maxBlocks: 65_536,
  /** Pool size; adding to a full pool drops the oldest transaction. */
  maxPoolTxs: 4096,
  /** Bytes of transactions the pool holds at most; the oldest are dropped to make room. */
  maxPoolBytes: 32 * 1024 * 1024,
  /** Largest transaction taken (go-ethereum's legacypool `txMaxSize`, 4 slots of 32 KiB). */
  maxTxSize: 128 * 1024,
  /** Largest blob transaction taken, with its blobs (go-ethereum's blobpool `txMaxSize`). */
  maxBlobTxSize: 1024 * 1024,
} as const

const emptyBody = encodeList([encodeList([]), encodeList([])])
const emptyReceipts = encodeList([])

interface Stored {
  header: Uint8Array
  hash: Uint8Array
  body: Uint8Array
  td: bigint
  time: number
  /** The header's receipt root is the empty root: the receipts are known without execution. */
  noReceipts: boolean
}

export interface MemoryChainOptions {
  clock?: Clock
  maxBlocks?: number
  /**
   * Seconds between block timestamps. When set, a block's timestamp is its parent's plus this,
   * so every chain made with the same config and `blockTime` is the same chain (nodes of a devnet
   * making blocks on their own agree, block for block). Unset: the clock's time, at least the
   * parent's + 1.
   */
  blockTime?: number
}

/**
 * A real chain of headers held in memory: the genesis of `config` and the blocks built on it,
 * either made here (`mine`, or `start(interval)` to make one per interval) or imported from
 * peers (`insertBlock`, when the block extends the head). Blocks are empty (no transactions),
 * so their bodies and receipts are empty lists; everything is served as in go-ethereum.
 */
export class MemoryChain implements ChainReader {
  readonly #blocks: Stored[] = []
  readonly #byHash = new Map<string, number>()
  readonly #genesis: Stored
  readonly #clock: Clock
  readonly #maxBlocks: number
  readonly #blockTime: number | undefined
  readonly #listeners = new Set<(block: Uint8Array, td: bigint) => void>()
  #timer: TimerHandle | undefined
  #interval: number | undefined
  /** Number of the first entry of `#blocks`. */
  #offset = 0

  constructor(
    readonly config: ChainConfig,
    options: MemoryChainOptions = {},
  ) {
    if (!config.genesisHeader) {
      throw new EthError('ERR_INVALID_CHAIN', `chain ${config.name} has no genesis header`)
    }
    this.#clock = options.clock ?? systemClock
    this.#maxBlocks = options.maxBlocks ?? memoryChainDefaults.maxBlocks
    this.#blockTime = options.blockTime
    const raw = encodeHeader(config.genesisHeader)
    const g: Stored = {
      header: raw,
      hash: headerHash(raw),
      body: emptyBody,
      td: config.genesisHeader.difficulty,
      time: config.genesisHeader.time,
      noReceipts: equalBytes(config.genesisHeader.receiptRoot, emptyRootHash),
    }
    if (toHex(g.hash) !== toHex(config.genesisHash)) {
      throw new EthError(
        'ERR_INVALID_CHAIN',
        `genesis header of ${config.name} does not hash to its genesis hash`,
      )
    }
    this.#genesis = g
    this.#blocks.push(g)
    this.#byHash.set(toHex(g.hash), 0)
  }

  head(): ChainHead {
    const h = this.#blocks[this.#blocks.length - 1] as Stored
    return { hash: h.hash, number: this.#offset + this.#blocks.length - 1, td: h.td, time: h.time }
  }

  genesisHash(): Uint8Array {
    return this.#genesis.hash
  }

  earliest(): number {
    return this.#offset
  }

  #byNumber(n: number): Stored | undefined {
    if (n === 0) return this.#genesis
    return this.#blocks[n - this.#offset]
  }

  #byHashStored(hash: Uint8Array): Stored | undefined {
    const n = this.#byHash.get(toHex(hash))
    return n === undefined ? undefined : this.#byNumber(n)
  }

  headerByNumber(number: number): Uint8Array | undefined {
    return this.#byNumber(number)?.header
  }

  headerByHash(hash: Uint8Array): Uint8Array | undefined {
    return this.#byHashStored(hash)?.header
  }

  numberOf(hash: Uint8Array): number | undefined {
    return this.#byHash.get(toHex(hash))
  }

  bodyByHash(hash: Uint8Array): Uint8Array | undefined {
    return this.#byHashStored(hash)?.body
  }

  /**
   * The receipts of a block without any (its receipt root is the empty root, as every block made
   * here): the empty list in both forms. Undefined for a block with receipts: this chain does not
   * execute transactions, so it does not have them (go-ethereum skips such a block in its reply).
   */
  receiptsByHash(hash: Uint8Array, _version?: 68 | 69): Uint8Array | undefined {
    return this.#byHashStored(hash)?.noReceipts ? emptyReceipts : undefined
  }

  bodyByNumber(number: number): Uint8Array | undefined {
    return this.#byNumber(number)?.body
  }

  receiptsByNumber(number: number, _version?: 68 | 69): Uint8Array | undefined {
    return this.#byNumber(number)?.noReceipts ? emptyReceipts : undefined
  }

  /** The full block `[header, txs, uncles]` at `number`. */
  blockByNumber(number: number): Uint8Array | undefined {
    const s = this.#byNumber(number)
    return s ? encodeList([s.header, ...splitList(s.body, 'body')]) : undefined
  }

  /** Calls `fn` for every new head (mined or imported); returns the unsubscribe function. */
  onBlock(fn: (block: Uint8Array, td: bigint) => void): () => void {
    this.#listeners.add(fn)
    return () => this.#listeners.delete(fn)
  }

  /**
   * Makes the next block on the head (timestamp: parent + `blockTime`, or now and at least
   * parent + 1); returns it raw.
   */
  mine(): Uint8Array {
    const parent = this.head()
    const parentHeader = decodeHeader(this.#byNumber(parent.number)?.header as Uint8Array)
    const number = parent.number + 1
    const header: BlockHeader = {
      ...parentHeader,
      parentHash: parent.hash,
      number,
      time:
        this.#blockTime !== undefined
          ? parent.time + this.#blockTime
          : Math.max(parent.time + 1, Math.floor(this.#clock.now() / 1000)),
      extra: new TextEncoder().encode(`x-devp2p #${number}`),
    }
    const raw = encodeHeader(header)
    this.#append(raw, emptyBody, parent.td + header.difficulty, header.time, true)
    const block = encodeList([raw, encodeList([]), encodeList([])])
    this.#emit(block, parent.td + header.difficulty)
    return block
  }

  insertBlock(block: Uint8Array, td: bigint): boolean {
    const [rawHeader, ...rest] = blockParts(block)
    if (!rawHeader || rest.length < 2) return false
    const header = decodeHeader(rawHeader)
    const head = this.head()
    if (header.number !== head.number + 1 || toHex(header.parentHash) !== toHex(head.hash))
      return false
    const ourTd = head.td + header.difficulty
    const noReceipts = equalBytes(header.receiptRoot, emptyRootHash)
    this.#append(rawHeader, encodeList(rest), ourTd, header.time, noReceipts)
    if (this.#timer !== undefined) this.#schedule()
    this.#emit(block, td > ourTd ? td : ourTd)
    return true
  }

  /**
   * Mines a block every `intervalMs` until `stop()`. An imported block restarts the wait, so of
   * several nodes making blocks on one devnet, the first to make one leads and the others follow
   * (taking over if it goes away) instead of each adding blocks.
   */
  start(intervalMs: number): void {
    if (this.#interval !== undefined) return
    this.#interval = intervalMs
    this.#schedule()
  }

  stop(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer)
    this.#timer = undefined
    this.#interval = undefined
  }

  #schedule(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer)
    const interval = this.#interval
    if (interval === undefined) return
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined
      this.mine()
      this.#schedule()
    }, interval)
  }

  #append(
    header: Uint8Array,
    body: Uint8Array,
    td: bigint,
    time: number,
    noReceipts: boolean,
  ): void {
    const hash = headerHash(header)
    const number = this.#offset + this.#blocks.length
    this.#blocks.push({ header, hash, body, td, time, noReceipts })
    this.#byHash.set(toHex(hash), number)
    // Bounded: beyond maxBlocks the oldest non-genesis block goes (history expiry).
    while (this.#blocks.length > this.#maxBlocks + 1) {
      const old = this.#blocks.shift() as Stored
      if (old !== this.#genesis) this.#byHash.delete(toHex(old.hash))
      this.#offset++
    }
  }

  #emit(block: Uint8Array, td: bigint): void {
    for (const fn of this.#listeners) fn(block, td)
  }
}

/**
 * A bounded transaction pool: at most `max` transactions and `maxBytes` bytes of them, the
 * oldest dropped first. A transaction over go-ethereum's size limits (128 KiB, a blob
 * transaction with its blobs 1 MiB) is not taken, as go-ethereum's pools refuse it
 * (`ErrOversizedData`); without them a peer could fill memory with `max` huge transactions.
 */
export class MemoryTxPool implements TxPool {
  readonly #txs = new Map<string, Uint8Array>()
  #bytes = 0

  constructor(
    readonly max: number = memoryChainDefaults.maxPoolTxs,
    readonly maxBytes: number = memoryChainDefaults.maxPoolBytes,
  ) {}

  add(txs: Uint8Array[]): Uint8Array[] {
    const added: Uint8Array[] = []
    for (const tx of txs) {
      if (tx.length > sizeLimit(tx) || tx.length > this.maxBytes) continue
      const key = toHex(txHash(tx))
      if (this.#txs.has(key)) continue
      while (this.#txs.size >= this.max || this.#bytes + tx.length > this.maxBytes) {
        const [oldest, dropped] = this.#txs.entries().next().value as [string, Uint8Array]
        this.#txs.delete(oldest)
        this.#bytes -= dropped.length
      }
      this.#txs.set(key, tx)
      this.#bytes += tx.length
      added.push(tx)
    }
    return added
  }

  /** Bytes of the transactions held. */
  get bytes(): number {
    return this.#bytes
  }

  get(hash: Uint8Array): Uint8Array | undefined {
    return this.#txs.get(toHex(hash))
  }

  has(hash: Uint8Array): boolean {
    return this.#txs.has(toHex(hash))
  }

  pending(): Uint8Array[] {
    return [...this.#txs.values()]
  }

  get size(): number {
    return this.#txs.size
  }
}

/** The largest size the pool takes for `tx`: a blob transaction's limit, or the plain one. */
function sizeLimit(tx: Uint8Array): number {
  try {
    if (txType(tx) === blobTxType) return memoryChainDefaults.maxBlobTxSize
  } catch {
    // Not a transaction envelope: the plain limit.
  }
  return memoryChainDefaults.maxTxSize
}

/** A {@link Backend} of a {@link MemoryChain} and a {@link MemoryTxPool}. */
export interface MemoryBackend extends Backend {
  chain: MemoryChain
  txPool: MemoryTxPool
}

export function memoryBackend(
  config: ChainConfig,
  options: MemoryChainOptions & { maxPoolTxs?: number; maxPoolBytes?: number } = {},
): MemoryBackend {
  return {
    chain: new MemoryChain(config, options),
    txPool: new MemoryTxPool(options.maxPoolTxs, options.maxPoolBytes),
  }
}

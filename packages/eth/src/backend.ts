/** The head of a chain: what the Status message and the fork id need. */
export interface ChainHead {
  hash: Uint8Array
  number: number
  /** Total difficulty (eth/68 Status). */
  td: bigint
  /** Timestamp of the head block (time-based forks). */
  time: number
}

/**
 * The chain as the eth handler reads it (go-ethereum's `core.BlockChain` seen by `eth.Backend`).
 * Headers, bodies and receipts are raw RLP: the handler serves them as they are.
 */
export interface ChainReader {
  head(): ChainHead
  genesisHash(): Uint8Array
  /** The lowest block whose body and receipts are served (eth/69 block range). */
  earliest(): number
  headerByNumber(number: number): Uint8Array | undefined
  headerByHash(hash: Uint8Array): Uint8Array | undefined
  /** `[transactions, uncles, withdrawals?]`. */
  bodyByHash(hash: Uint8Array): Uint8Array | undefined
  /**
   * The block's receipts as one RLP list in the form of `version`: eth/69 `[type, status,
   * cumulative-gas, logs]` per receipt; eth/68 the consensus encoding (with bloom).
   */
  receiptsByHash(hash: Uint8Array, version: 68 | 69): Uint8Array | undefined
  /**
   * The block's access list (EIP-7928) as its raw RLP, served over eth/71 (EIP-8159). Optional:
   * without it every block access list is reported unavailable.
   */
  accessListByHash?(hash: Uint8Array): Uint8Array | undefined
  /** The body of the canonical block `number` (the wire asks by hash; optional). */
  bodyByNumber?(number: number): Uint8Array | undefined
  /** The receipts of the canonical block `number` (the wire asks by hash; optional). */
  receiptsByNumber?(number: number, version: 68 | 69): Uint8Array | undefined
  /**
   * Imports a block a peer propagated (`[header, txs, uncles, …]`); returns true when it became
   * the new head. Optional: without it, propagated blocks are only relayed.
   */
  insertBlock?(block: Uint8Array, td: bigint): boolean
}

/** The transaction pool as the eth handler uses it. Transactions are raw (see `txHash`). */
export interface TxPool {
  /** Adds transactions; returns those that were new (the handler propagates them). */
  add(txs: Uint8Array[]): Uint8Array[]
  get(hash: Uint8Array): Uint8Array | undefined
  has(hash: Uint8Array): boolean
  /** Pending transactions, announced to every new peer. */
  pending(): Uint8Array[]
}

/** The blob cells a node custodies, served over eth/72 (go-ethereum's `eth.BlobPool`). */
export interface BlobPool {
  /**
   * The cells at the set indices of `mask` (a 16-byte custody bitmap) of the transaction's blobs,
   * cell index by cell index and, within each, blob by blob (2048 bytes each); undefined when the
   * transaction or any of those cells is unknown.
   */
  cells(txHash: Uint8Array, mask: Uint8Array): Uint8Array[] | undefined
}

/** What the eth protocol needs from the node (go-ethereum's `eth.Backend`). */
export interface Backend {
  chain: ChainReader
  txPool: TxPool
  /** Optional: without it GetCells (eth/72) is answered with no cells. */
  blobPool?: BlobPool
}

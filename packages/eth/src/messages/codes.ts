/** eth message codes (devp2p caps/eth.md), relative to the protocol's offset. */
export const MsgCode = {
  Status: 0x00,
  /** eth/68 only. */
  NewBlockHashes: 0x01,
  Transactions: 0x02,
  GetBlockHeaders: 0x03,
  BlockHeaders: 0x04,
  GetBlockBodies: 0x05,
  BlockBodies: 0x06,
  /** eth/68 only. */
  NewBlock: 0x07,
  NewPooledTransactionHashes: 0x08,
  GetPooledTransactions: 0x09,
  PooledTransactions: 0x0a,
  GetReceipts: 0x0f,
  Receipts: 0x10,
  /** eth/69 and later. */
  BlockRangeUpdate: 0x11,
  /** eth/71 and later (EIP-8159). */
  GetBlockAccessLists: 0x12,
  BlockAccessLists: 0x13,
  /** eth/72 (cell-level blob fetching). */
  GetCells: 0x14,
  Cells: 0x15,
} as const
export type MsgCode = (typeof MsgCode)[keyof typeof MsgCode]

/** Every eth version we can speak, newest first. */
export const supportedEthVersions = [72, 71, 70, 69, 68] as const
export type EthVersion = (typeof supportedEthVersions)[number]

/**
 * The versions offered by default, newest first: go-ethereum v1.17's `ProtocolVersions`
 * (eth/72 to eth/69). eth/68 is still spoken when asked for (`versions: [68]`), for clients
 * such as @ethereumjs/devp2p that have nothing newer.
 */
export const ethVersions = [72, 71, 70, 69] as const satisfies readonly EthVersion[]

/**
 * Number of message codes of each version (go-ethereum's `protocolLengths`): eth/69 adds
 * BlockRangeUpdate 0x11, eth/71 the block access lists 0x12–0x13, eth/72 the cells 0x14–0x15.
 */
export const protocolLengths: Record<EthVersion, number> = {
  68: 17,
  69: 18,
  70: 18,
  71: 20,
  72: 22,
}

/** Largest eth message accepted (go-ethereum's `maxMessageSize`). */
export const maxMessageSize = 10 * 1024 * 1024
/** Responses stop growing past this size (go-ethereum's `softResponseLimit`). */
export const softResponseLimit = 2 * 1024 * 1024
/** Most headers, bodies or receipts served for one request (go-ethereum's `maxHeadersServe` etc.). */
export const maxRequestItems = 1024
/** Most transactions, hashes or announcements in one message we accept. */
export const maxTxItems = 4096

/** Whether `code` is a message of `version` (go-ethereum's per-version handler tables). */
export function isValidCode(version: EthVersion, code: number): boolean {
  if (code < 0 || code >= protocolLengths[version]) return false
  if (code > MsgCode.PooledTransactions && code < MsgCode.GetReceipts) return false
  if (version >= 69 && (code === MsgCode.NewBlockHashes || code === MsgCode.NewBlock)) return false
  return true
}

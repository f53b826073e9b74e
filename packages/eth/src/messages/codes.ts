/** eth message codes (devp2p caps/eth.md), relative to the protocol's offset. */
export const MsgCode = {
  Status: 0x00,
  NewBlockHashes: 0x01,
  Transactions: 0x02,
  GetBlockHeaders: 0x03,
  BlockHeaders: 0x04,
  GetBlockBodies: 0x05,
  BlockBodies: 0x06,
  NewBlock: 0x07,
  NewPooledTransactionHashes: 0x08,
  GetPooledTransactions: 0x09,
  PooledTransactions: 0x0a,
  GetReceipts: 0x0f,
  Receipts: 0x10,
  /** eth/69 only. */
  BlockRangeUpdate: 0x11,
} as const
export type MsgCode = (typeof MsgCode)[keyof typeof MsgCode]

/** The eth versions we speak, newest first. */
export const ethVersions = [69, 68] as const
export type EthVersion = (typeof ethVersions)[number]

/** Number of message codes of each version (eth/69 adds BlockRangeUpdate 0x11). */
export const protocolLengths: Record<EthVersion, number> = { 68: 17, 69: 18 }

/** Largest eth message accepted (go-ethereum's `maxMessageSize`). */
export const maxMessageSize = 10 * 1024 * 1024
/** Responses stop growing past this size (go-ethereum's `softResponseLimit`). */
export const softResponseLimit = 2 * 1024 * 1024
/** Most headers, bodies or receipts served for one request (go-ethereum's `maxHeadersServe` etc.). */
export const maxRequestItems = 1024
/** Most transactions, hashes or announcements in one message we accept. */
export const maxTxItems = 4096

/** Whether `code` is a message of `version`. */
export function isValidCode(version: EthVersion, code: number): boolean {
  if (code < 0 || code >= protocolLengths[version]) return false
  if (code > MsgCode.PooledTransactions && code < MsgCode.GetReceipts) return false
  if (version >= 69 && (code === MsgCode.NewBlockHashes || code === MsgCode.NewBlock)) return false
  return true
}

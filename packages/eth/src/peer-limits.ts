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
  /**
   * Bytes a Transactions message (transaction sizes) or an announcement (32 per hash) is filled
   * to, then sent (go-ethereum's `maxTxPacketSize`).
   */
  maxTxPacketSize: 100 * 1024,
} as const

import { blobTxType, txMaxBroadcastSize, txSize } from './blob-tx.js'
import { blockParts, headerHash, headerNumber } from './header.js'
import { MsgCode } from './messages/codes.js'
import { encodeBlockRangeUpdate } from './messages/status.js'
import { txHash, txType } from './messages/transactions.js'
import type { EthPeer } from './peer.js'
import type { PeerSet } from './peer-set.js'

/**
 * Propagates transactions (go-ethereum's `BroadcastTransactions`): each goes in full to √n of the
 * n peers that lack it and as an announcement to the others; blob transactions and any over
 * {@link txMaxBroadcastSize} bytes are only announced. Queued per peer: never blocks.
 */
export function broadcastTransactions(
  peers: PeerSet,
  txs: Uint8Array[],
  random: () => number = Math.random,
): void {
  const full = new Map<EthPeer, Uint8Array[]>()
  const ann = new Map<EthPeer, Uint8Array[]>()
  for (const tx of txs) {
    const lacking = shuffle(peers.peersWithoutTx(txHash(tx)), random)
    const announceOnly = txType(tx) === blobTxType || txSize(tx) > txMaxBroadcastSize
    const direct = announceOnly ? 0 : Math.floor(Math.sqrt(lacking.length))
    lacking.forEach((p, i) => {
      const m = i < direct ? full : ann
      const list = m.get(p)
      if (list) list.push(tx)
      else m.set(p, [tx])
    })
  }
  for (const [p, list] of full) p.asyncSendTransactions(list)
  for (const [p, list] of ann) p.asyncSendPooledTransactionHashes(list)
}

/**
 * Propagates a new block (go-ethereum's `BroadcastBlock`): in full to √n of the eth/68 peers
 * that lack it, its hash to the other eth/68 peers; eth/69 peers (no NewBlock) get a
 * BlockRangeUpdate `[earliest, number, hash]` instead.
 */
export function broadcastBlock(
  peers: PeerSet,
  block: Uint8Array,
  td: bigint,
  earliest: number,
  random: () => number = Math.random,
): void {
  const header = blockParts(block)[0] as Uint8Array
  const hash = headerHash(header)
  const number = headerNumber(header)
  const lacking = peers.peersWithoutBlock(hash)
  const old = shuffle(
    lacking.filter((p) => p.version === 68),
    random,
  )
  const direct = Math.floor(Math.sqrt(old.length))
  old.forEach((p, i) => {
    if (i < direct) p.asyncSendNewBlock(block, td)
    else p.asyncSendNewBlockHash(hash, number)
  })
  const range = encodeBlockRangeUpdate({
    earliestBlock: earliest,
    latestBlock: number,
    latestHash: hash,
  })
  for (const p of lacking) {
    if (p.version < 69) continue
    p.markBlock(hash)
    p.rw.writeMsg(MsgCode.BlockRangeUpdate, range).catch(() => {})
  }
}

/**
 * Shuffles `list` in place (Fisher–Yates) so the √n full recipients are a uniform random subset:
 * taking the first √n in registration order would send every full copy to the same early
 * peers (go-ethereum gets the same spread from Go's random map order and its per-sender hash).
 */
export function shuffle<T>(list: T[], random: () => number = Math.random): T[] {
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    const t = list[i] as T
    list[i] = list[j] as T
    list[j] = t
  }
  return list
}

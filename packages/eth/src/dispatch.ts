import { DisconnectError, DisconnectReason, type Msg } from '@x/p2p'
import type { Backend } from './backend.js'
import { withoutBlobs } from './blob-tx.js'
import type { BlockFetcher } from './block-fetcher.js'
import { decodeMsg, EthError } from './errors.js'
import { blockParts, headerHash, headerNumber } from './header.js'
import { decodeBlockAccessLists, decodeGetBlockAccessLists } from './messages/access-lists.js'
import {
  decodeNewBlock,
  decodeNewBlockHashes,
  decodeNewPooledTransactionHashes,
} from './messages/announce.js'
import { decodeBlockBodies, decodeGetBlockBodies } from './messages/bodies.js'
import { decodeCells, decodeGetCells } from './messages/cells.js'
import { isValidCode, MsgCode, maxMessageSize } from './messages/codes.js'
import { decodeBlockHeaders, decodeGetBlockHeaders } from './messages/headers.js'
import { decodeGetReceipts, decodeReceipts, receiptForm } from './messages/receipts.js'
import { decodeBlockRangeUpdate, validateBlockRange } from './messages/status.js'
import {
  decodeGetPooledTransactions,
  decodePooledTransactions,
  decodeTransactions,
} from './messages/transactions.js'
import type { EthPeer } from './peer.js'
import {
  serveAccessLists,
  serveByHash,
  serveCells,
  serveHeaders,
  servePooledTransactions,
  serveReceipts70,
} from './serve.js'
import { checkDeliveredTxs } from './tx-delivery.js'
import type { TxFetcher } from './tx-fetcher.js'

/** What the message dispatch reads and drives: the handler's backend, fetchers and callbacks. */
export interface MessageContext {
  backend: Backend
  txFetcher: TxFetcher
  blockFetcher: BlockFetcher
  /**
   * A peer sent transactions in full: `fetched` when they answer our GetPooledTransactions (a
   * fetch after its announcement), else broadcast to us (Transactions).
   */
  receiveTxs(peer: EthPeer, txs: Uint8Array[], fetched: boolean): void
  /** A peer announced a new head (NewBlock, BlockRangeUpdate). */
  headChanged(peer: EthPeer): void
}

/**
 * Handles one message from a registered peer (go-ethereum's `handleMessage`): serves requests,
 * delivers responses, takes in announcements and propagated blocks/transactions. Throws to
 * drop the peer: a payload its codec cannot decode with `BreachOfProtocol` (see
 * {@link decodeMsg}), anything else with an {@link EthError} (a subprotocol error).
 */
export async function handleMessage(ctx: MessageContext, peer: EthPeer, msg: Msg): Promise<void> {
  if (msg.size > maxMessageSize) {
    throw new EthError(
      'ERR_MSG_TOO_LARGE',
      `message of ${msg.size} bytes exceeds ${maxMessageSize}`,
    )
  }
  if (!isValidCode(peer.version, msg.code)) {
    throw new EthError(
      'ERR_INVALID_MSG_CODE',
      `invalid eth/${peer.version} message code ${msg.code}`,
    )
  }
  const chain = ctx.backend.chain
  const pool = ctx.backend.txPool
  switch (msg.code) {
    case MsgCode.Status:
      throw new EthError('ERR_EXTRA_STATUS_MSG', 'status after the handshake')
    case MsgCode.GetBlockHeaders: {
      const q = decodeMsg(msg.code, msg.payload, decodeGetBlockHeaders)
      return peer.replyBlockHeaders(q.requestId, serveHeaders(chain, q))
    }
    case MsgCode.GetBlockBodies: {
      const q = decodeMsg(msg.code, msg.payload, decodeGetBlockBodies)
      return peer.replyBlockBodies(
        q.requestId,
        serveByHash(q.hashes, (h) => chain.bodyByHash(h)),
      )
    }
    case MsgCode.GetReceipts: {
      const q = decodeMsg(msg.code, msg.payload, (p) => decodeGetReceipts(p, peer.version))
      if (peer.version < 70) {
        const form = receiptForm(peer.version)
        const receipts = serveByHash(q.hashes, (h) => chain.receiptsByHash(h, form))
        return peer.replyReceipts(q.requestId, receipts)
      }
      const r = serveReceipts70(chain, q.hashes, q.firstBlockReceiptIndex ?? 0)
      return peer.replyReceipts(q.requestId, r.receipts, r.lastBlockIncomplete)
    }
    case MsgCode.GetBlockAccessLists: {
      const q = decodeMsg(msg.code, msg.payload, decodeGetBlockAccessLists)
      return peer.replyBlockAccessLists(q.requestId, serveAccessLists(chain, q.hashes))
    }
    case MsgCode.GetCells: {
      const q = decodeMsg(msg.code, msg.payload, decodeGetCells)
      return peer.replyCells({ requestId: q.requestId, ...serveCells(ctx.backend, q) })
    }
    case MsgCode.GetPooledTransactions: {
      const q = decodeMsg(msg.code, msg.payload, decodeGetPooledTransactions)
      const txs = servePooledTransactions(q.hashes, (h) => pool.get(h))
      // eth/72 serves blob transactions without their blobs (those go as cells).
      return peer.replyPooledTransactions(
        q.requestId,
        peer.version >= 72 ? txs.map(withoutBlobs) : txs,
      )
    }
    case MsgCode.BlockHeaders: {
      const r = decodeMsg(msg.code, msg.payload, decodeBlockHeaders)
      peer.fulfil(msg.code, r.requestId, r.headers.length)
      peer.deliver(msg.code, r.requestId, r.headers)
      return
    }
    case MsgCode.BlockBodies: {
      const r = decodeMsg(msg.code, msg.payload, decodeBlockBodies)
      peer.fulfil(msg.code, r.requestId, r.bodies.length)
      peer.deliver(msg.code, r.requestId, r.bodies)
      return
    }
    case MsgCode.Receipts: {
      const r = decodeMsg(msg.code, msg.payload, (p) => decodeReceipts(p, peer.version))
      peer.fulfil(msg.code, r.requestId, r.receipts.length)
      peer.deliver(msg.code, r.requestId, r.receipts, r.lastBlockIncomplete)
      return
    }
    case MsgCode.BlockAccessLists: {
      const r = decodeMsg(msg.code, msg.payload, decodeBlockAccessLists)
      peer.fulfil(msg.code, r.requestId, r.accessLists.length)
      peer.deliver(msg.code, r.requestId, r.accessLists)
      return
    }
    case MsgCode.Cells: {
      const { requestId, ...cells } = decodeMsg(msg.code, msg.payload, decodeCells)
      peer.fulfil(msg.code, requestId, cells.hashes.length)
      peer.deliver(msg.code, requestId, [], cells)
      return
    }
    case MsgCode.PooledTransactions: {
      const r = decodeMsg(msg.code, msg.payload, decodePooledTransactions)
      peer.fulfil(msg.code, r.requestId, r.txs.length)
      const txs = checkDeliveredTxs(peer.version, r.txs, false)
      peer.deliver(msg.code, r.requestId, r.txs)
      ctx.txFetcher.delivered(txs)
      ctx.receiveTxs(peer, r.txs, true)
      return
    }
    case MsgCode.Transactions: {
      const raw = decodeMsg(msg.code, msg.payload, decodeTransactions)
      ctx.txFetcher.delivered(checkDeliveredTxs(peer.version, raw, true))
      ctx.receiveTxs(peer, raw, false)
      return
    }
    case MsgCode.NewPooledTransactionHashes: {
      const ann = decodeMsg(msg.code, msg.payload, (p) =>
        decodeNewPooledTransactionHashes(p, peer.version),
      )
      for (const h of ann.hashes) peer.markTransaction(h)
      ctx.txFetcher.notify(peer, ann.hashes, ann)
      return
    }
    case MsgCode.NewBlockHashes: {
      for (const a of decodeMsg(msg.code, msg.payload, decodeNewBlockHashes)) {
        peer.markBlock(a.hash)
        // Not awaited: the responses arrive through this same loop.
        ctx.blockFetcher.announced(peer, a.hash, a.number)
      }
      return
    }
    case MsgCode.NewBlock: {
      const nb = decodeMsg(msg.code, msg.payload, decodeNewBlock)
      const header = blockParts(nb.block)[0] as Uint8Array
      const hash = headerHash(header)
      peer.markBlock(hash)
      peer.setHead({ hash, number: headerNumber(header), td: nb.td })
      ctx.headChanged(peer)
      if (chain.insertBlock?.(nb.block, nb.td) === false) {
        ctx.blockFetcher.follow(peer, headerNumber(header))
      }
      return
    }
    case MsgCode.BlockRangeUpdate: {
      const range = decodeMsg(msg.code, msg.payload, decodeBlockRangeUpdate)
      try {
        validateBlockRange(range)
      } catch (err) {
        throw new DisconnectError(DisconnectReason.SubprotocolError, (err as Error).message, {
          cause: err,
        })
      }
      peer.setBlockRange(range)
      ctx.headChanged(peer)
      ctx.blockFetcher.follow(peer, range.latestBlock)
      return
    }
  }
}

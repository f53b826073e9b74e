import { isList, toHex } from '@x/core'
import { blobTxType, checkBlobTx, type TxMeta, txEnvelope, txMeta } from './blob-tx.js'
import { EthError } from './errors.js'
import type { EthVersion } from './messages/codes.js'
import { txHash } from './messages/transactions.js'

/** A delivered transaction with its hash and what it is. */
export interface DeliveredTx {
  raw: Uint8Array
  hash: Uint8Array
  meta: TxMeta
}

/**
 * Checks transactions a peer delivered (go-ethereum's `handleTransactions` in eth/handler_eth.go):
 * a blob transaction may come only in a PooledTransactions reply (`broadcast` false), never in
 * a Transactions broadcast, and must pass {@link checkBlobTx}; the same hash twice in one message
 * is refused. Throws an {@link EthError} (the caller drops the peer).
 */
export function checkDeliveredTxs(
  version: EthVersion,
  txs: Uint8Array[],
  broadcast: boolean,
): DeliveredTx[] {
  const seen = new Set<string>()
  return txs.map((raw) => {
    const env = txEnvelope(raw)
    if (!isList(raw) && env[0] === blobTxType) {
      if (broadcast) {
        throw new EthError('ERR_BLOB_TX_BROADCAST', 'blob transaction in a Transactions message')
      }
      checkBlobTx(env, version)
    }
    const hash = txHash(raw)
    const key = toHex(hash)
    if (seen.has(key))
      throw new EthError('ERR_DUPLICATE_TX', `transaction ${key} twice in one message`)
    seen.add(key)
    return { raw, hash, meta: txMeta(raw) }
  })
}

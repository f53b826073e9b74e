import { encodeList, getCrypto, isList, readBytes, splitList } from '@x/core'
import { consensusEnvelope } from '../blob-tx.js'
import { checkItem, EthError, ethDecoder } from '../errors.js'
import { maxTxItems } from './codes.js'
import { checkSize } from './limits.js'
import {
  decodeHashesRequest,
  decodeRawItemsResponse,
  encodeHashesRequest,
  encodeRawItemsResponse,
  type HashesRequest,
} from './request.js'

/**
 * Transactions: `[tx…]`, each a raw transaction as it appears in a block body: a legacy
 * transaction is an RLP list, a typed one (EIP-2718) a byte string `type ‖ payload`.
 */
export type Transactions = Uint8Array[]

/** GetPooledTransactions: `[request-id, [txhash…]]`. */
export type GetPooledTransactions = HashesRequest

/** PooledTransactions: `[request-id, [tx…]]`. */
export interface PooledTransactions {
  requestId: bigint
  txs: Uint8Array[]
}

/**
 * The hash of a raw transaction: keccak of the list (legacy) or of the typed envelope in its
 * consensus form: a blob transaction in network form (with its sidecar, as PooledTransactions
 * carries it) is hashed without the sidecar (EIP-4844).
 */
export const txHash = ethDecoder((raw: Uint8Array): Uint8Array => {
  return getCrypto().keccak256(isList(raw) ? raw : consensusEnvelope(readBytes(raw, 'transaction')))
})

/** The EIP-2718 type of a raw transaction (0 for legacy). */
export const txType = ethDecoder((raw: Uint8Array): number => {
  if (isList(raw)) return 0
  const env = readBytes(raw, 'transaction')
  if (env.length === 0) throw new EthError('ERR_DECODE', 'invalid transaction: empty envelope')
  return env[0] as number
})

function checkTx(raw: Uint8Array): void {
  if (isList(raw)) return
  const env = readBytes(raw, 'transaction')
  // A typed transaction is `type ‖ rlp(payload)` with type < 0x80 (EIP-2718).
  if (env.length < 2 || (env[0] as number) >= 0x80) {
    throw new EthError('ERR_DECODE', 'invalid transaction: not a typed envelope')
  }
}

export function encodeTransactions(txs: Transactions): Uint8Array {
  return encodeList(txs)
}

export const decodeTransactions = ethDecoder((payload: Uint8Array): Transactions => {
  checkSize(payload, 'Transactions')
  const txs = splitList(payload, 'Transactions', maxTxItems)
  for (const tx of txs) checkItem('transaction', () => checkTx(tx))
  return txs
})

export function encodeGetPooledTransactions(r: GetPooledTransactions): Uint8Array {
  return encodeHashesRequest(r)
}

export function decodeGetPooledTransactions(payload: Uint8Array): GetPooledTransactions {
  return decodeHashesRequest(payload, 'GetPooledTransactions')
}

export function encodePooledTransactions(r: PooledTransactions): Uint8Array {
  return encodeRawItemsResponse({ requestId: r.requestId, items: r.txs })
}

export const decodePooledTransactions = ethDecoder((payload: Uint8Array): PooledTransactions => {
  const { requestId, items } = decodeRawItemsResponse(
    payload,
    'PooledTransactions',
    maxTxItems,
    true,
  )
  for (const tx of items) checkItem('transaction', () => checkTx(tx))
  return { requestId, txs: items }
})

import {
  encodeHashList,
  encodeList,
  encodeUint,
  readBigUint,
  readFixed,
  readUint,
  splitList,
} from '@x/core'
import { checkItem, EthError, ethDecoder } from '../errors.js'
import { type EthVersion, maxRequestItems } from './codes.js'
import { checkSize } from './limits.js'
import {
  decodeHashesRequest,
  decodeRawItemsResponse,
  encodeRawItemsResponse,
  hashList,
} from './request.js'

/**
 * GetReceipts: `[request-id, [blockhash…]]`; from eth/70 (EIP-7975) `[request-id,
 * first-block-receipt-index, [blockhash…]]`, the index saying where in the first block to resume
 * after a reply that ended with `last-block-incomplete`.
 */
export interface GetReceipts {
  requestId: bigint
  hashes: Uint8Array[]
  /** eth/70 and later; 0 when absent. */
  firstBlockReceiptIndex?: number
}

/**
 * Receipts: `[request-id, [[receipt…]…]]`, one raw list per block; from eth/70 `[request-id,
 * last-block-incomplete, [[receipt…]…]]`. From eth/69 each receipt is `[tx-type,
 * post-state-or-status, cumulative-gas, logs]` (no bloom); eth/68 sends the consensus encoding
 * (typed receipts as byte strings, with bloom). `version` selects the shape and the check.
 */
export interface Receipts {
  requestId: bigint
  receipts: Uint8Array[]
  /** eth/70 and later: the last block's list stops short, ask again from where it ended. */
  lastBlockIncomplete?: boolean
}

/** The receipt form a version uses: the consensus one (68) or the network one (69 and later). */
export function receiptForm(version: EthVersion): 68 | 69 {
  return version === 68 ? 68 : 69
}

export function encodeGetReceipts(r: GetReceipts, version: EthVersion = 69): Uint8Array {
  if (version < 70) return encodeList([encodeUint(r.requestId), encodeHashList(r.hashes)])
  return encodeList([
    encodeUint(r.requestId),
    encodeUint(r.firstBlockReceiptIndex ?? 0),
    encodeHashList(r.hashes),
  ])
}

export const decodeGetReceipts = ethDecoder(
  (payload: Uint8Array, version: EthVersion = 69): GetReceipts => {
    if (version < 70) return decodeHashesRequest(payload, 'GetReceipts')
    checkSize(payload, 'GetReceipts')
    const f = splitList(payload, 'GetReceipts')
    if (f.length < 3)
      throw new EthError('ERR_DECODE', 'invalid GetReceipts: expected [request-id, index, hashes]')
    const list = f[2] as Uint8Array
    return {
      requestId: readBigUint(f[0], 'GetReceipts request id'),
      firstBlockReceiptIndex: readUint(f[1], 'GetReceipts first block receipt index'),
      hashes:
        hashList(list) ??
        splitList(list, 'GetReceipts hashes').map((h) => readFixed(h, 32, 'GetReceipts hash')),
    }
  },
)

export function encodeReceipts(r: Receipts, version: EthVersion = 69): Uint8Array {
  if (version < 70) return encodeRawItemsResponse({ requestId: r.requestId, items: r.receipts })
  return encodeList([
    encodeUint(r.requestId),
    encodeUint(r.lastBlockIncomplete ? 1 : 0),
    encodeList(r.receipts),
  ])
}

function checkNetworkReceipts(lists: Uint8Array[]): void {
  for (const block of lists) checkItem('receipts', () => checkBlockReceipts(block))
}

function checkBlockReceipts(block: Uint8Array): void {
  for (const receipt of splitList(block, 'receipt list')) {
    const f = splitList(receipt, 'receipt')
    if (f.length !== 4)
      throw new EthError('ERR_DECODE', 'invalid eth/69 receipt: expected 4 fields')
    readUint(f[0], 'receipt tx type')
    if (((f[3] as Uint8Array)[0] as number) < 0xc0) {
      throw new EthError('ERR_DECODE', 'invalid eth/69 receipt: logs not a list')
    }
  }
}

/** Decodes Receipts; from eth/69 each receipt must have the 4-field shape. */
export const decodeReceipts = ethDecoder(
  (payload: Uint8Array, version: EthVersion = 69): Receipts => {
    if (version < 70) {
      const { requestId, items } = decodeRawItemsResponse(payload, 'Receipts', maxRequestItems)
      if (version === 69) checkNetworkReceipts(items)
      return { requestId, receipts: items }
    }
    checkSize(payload, 'Receipts')
    const f = splitList(payload, 'Receipts')
    if (f.length < 3)
      throw new EthError('ERR_DECODE', 'invalid Receipts: expected [request-id, incomplete, lists]')
    const incomplete = readUint(f[1], 'Receipts last block incomplete')
    if (incomplete > 1) throw new EthError('ERR_DECODE', 'invalid Receipts: incomplete not a bool')
    const receipts = splitList(f[2] as Uint8Array, 'Receipts items', maxRequestItems)
    for (const item of receipts) {
      if ((item[0] as number) < 0xc0)
        throw new EthError('ERR_INVALID_ITEM', 'invalid Receipts: item is not a list')
    }
    checkNetworkReceipts(receipts)
    return {
      requestId: readBigUint(f[0], 'Receipts request id'),
      lastBlockIncomplete: incomplete === 1,
      receipts,
    }
  },
)

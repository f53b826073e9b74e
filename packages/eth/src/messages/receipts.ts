import { readUint, splitList } from '@x/core'
import { EthError, ethDecoder } from '../errors.js'
import { maxRequestItems } from './codes.js'
import {
  decodeHashesRequest,
  decodeRawItemsResponse,
  encodeHashesRequest,
  encodeRawItemsResponse,
  type HashesRequest,
} from './request.js'

/** GetReceipts: `[request-id, [blockhash…]]`. */
export type GetReceipts = HashesRequest

/**
 * Receipts: `[request-id, [[receipt…]…]]`, one raw list per block. In eth/69 each receipt is
 * `[tx-type, post-state-or-status, cumulative-gas, logs]` (no bloom); eth/68 sends the
 * consensus encoding (typed receipts as byte strings, with bloom). `version` selects the check.
 */
export interface Receipts {
  requestId: bigint
  receipts: Uint8Array[]
}

export function encodeGetReceipts(r: GetReceipts): Uint8Array {
  return encodeHashesRequest(r)
}

export function decodeGetReceipts(payload: Uint8Array): GetReceipts {
  return decodeHashesRequest(payload, 'GetReceipts', maxRequestItems)
}

export function encodeReceipts(r: Receipts): Uint8Array {
  return encodeRawItemsResponse({ requestId: r.requestId, items: r.receipts })
}

/** Decodes Receipts; for eth/69 each receipt must have the 4-field shape. */
export const decodeReceipts = ethDecoder((payload: Uint8Array, version: 68 | 69 = 69): Receipts => {
  const { requestId, items } = decodeRawItemsResponse(payload, 'Receipts', maxRequestItems)
  if (version === 69) {
    for (const block of items) {
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
  }
  return { requestId, receipts: items }
})

import { encodeHashList, encodeList, encodeUint } from '@x/core'
import { EthError, ethDecoder } from '../errors.js'
import { maxRequestItems } from './codes.js'
import { decodeHashesRequest, decodeRawItemsResponse, type HashesRequest } from './request.js'

/** GetBlockAccessLists (eth/71, EIP-8159): `[request-id, [blockhash…]]`. */
export type GetBlockAccessLists = HashesRequest

/**
 * BlockAccessLists (eth/71, EIP-8159): `[request-id, [bal…]]`, one raw entry per requested hash,
 * in request order, possibly cut short at the tail. An unavailable BAL is the RLP empty string
 * 0x80 (an empty list is itself a valid BAL), so entries stay raw.
 */
export interface BlockAccessLists {
  requestId: bigint
  accessLists: Uint8Array[]
}

/** The entry that stands for an unavailable block access list: the RLP empty string. */
export const unavailableAccessList = Uint8Array.of(0x80)

export function encodeGetBlockAccessLists(r: GetBlockAccessLists): Uint8Array {
  return encodeList([encodeUint(r.requestId), encodeHashList(r.hashes)])
}

export function decodeGetBlockAccessLists(payload: Uint8Array): GetBlockAccessLists {
  return decodeHashesRequest(payload, 'GetBlockAccessLists')
}

export function encodeBlockAccessLists(r: BlockAccessLists): Uint8Array {
  return encodeList([encodeUint(r.requestId), encodeList(r.accessLists)])
}

/** Decodes BlockAccessLists; each entry is a BAL (a list) or the empty string, nothing else. */
export const decodeBlockAccessLists = ethDecoder((payload: Uint8Array): BlockAccessLists => {
  const { requestId, items } = decodeRawItemsResponse(
    payload,
    'BlockAccessLists',
    maxRequestItems,
    true,
  )
  for (const item of items) {
    if ((item[0] as number) < 0xc0 && !(item.length === 1 && item[0] === 0x80)) {
      throw new EthError(
        'ERR_DECODE',
        'invalid BlockAccessLists: entry is neither a list nor empty',
      )
    }
  }
  return { requestId, accessLists: items }
})

import { maxRequestItems } from './codes.js'
import {
  decodeHashesRequest,
  decodeRawItemsResponse,
  encodeHashesRequest,
  encodeRawItemsResponse,
  type HashesRequest,
} from './request.js'

/** GetBlockBodies: `[request-id, [blockhash…]]`. */
export type GetBlockBodies = HashesRequest

/** BlockBodies: `[request-id, [[transactions, uncles, withdrawals?]…]]`, raw bodies. */
export interface BlockBodies {
  requestId: bigint
  bodies: Uint8Array[]
}

export function encodeGetBlockBodies(r: GetBlockBodies): Uint8Array {
  return encodeHashesRequest(r)
}

export function decodeGetBlockBodies(payload: Uint8Array): GetBlockBodies {
  return decodeHashesRequest(payload, 'GetBlockBodies')
}

export function encodeBlockBodies(r: BlockBodies): Uint8Array {
  return encodeRawItemsResponse({ requestId: r.requestId, items: r.bodies })
}

export function decodeBlockBodies(payload: Uint8Array): BlockBodies {
  const { requestId, items } = decodeRawItemsResponse(payload, 'BlockBodies', maxRequestItems)
  return { requestId, bodies: items }
}

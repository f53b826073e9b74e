import { encodeHashList, encodeList, encodeUint, readBigUint, readFixed, splitList } from '@x/core'
import { EthError, ethDecoder } from '../errors.js'
import { checkSize } from './limits.js'

/** A request by hashes (`[request-id, [hash…]]`): GetBlockBodies, GetReceipts, GetPooledTransactions. */
export interface HashesRequest {
  requestId: bigint
  hashes: Uint8Array[]
}

/** A response of raw RLP items (`[request-id, [item…]]`): BlockHeaders, BlockBodies, Receipts, PooledTransactions. */
export interface RawItemsResponse {
  requestId: bigint
  items: Uint8Array[]
}

export function encodeHashesRequest(r: HashesRequest): Uint8Array {
  return encodeList([encodeUint(r.requestId), encodeHashList(r.hashes)])
}

/**
 * Decodes a request by hashes. Any number of hashes is accepted, as go-ethereum does (the 10 MiB
 * message limit bounds them); the serving side stops at its own limits.
 */
export const decodeHashesRequest = ethDecoder(
  (payload: Uint8Array, what: string, maxItems?: number): HashesRequest => {
    checkSize(payload, what)
    const f = splitList(payload, what)
    if (f.length < 2)
      throw new EthError('ERR_DECODE', `invalid ${what}: expected [request-id, hashes]`)
    const list = splitList(
      f[1] as Uint8Array,
      `${what} hashes`,
      maxItems ?? Number.POSITIVE_INFINITY,
    )
    return {
      requestId: readBigUint(f[0], `${what} request id`),
      hashes: list.map((h) => readFixed(h, 32, `${what} hash`)),
    }
  },
)

export function encodeRawItemsResponse(r: RawItemsResponse): Uint8Array {
  return encodeList([encodeUint(r.requestId), encodeList(r.items)])
}

/**
 * Decodes `[request-id, [item…]]`; every item must be an RLP list unless `allowStrings`
 * (transactions: typed ones are byte strings), else `ERR_INVALID_ITEM` (see `checkItem`).
 */
export const decodeRawItemsResponse = ethDecoder(
  (payload: Uint8Array, what: string, maxItems: number, allowStrings = false): RawItemsResponse => {
    checkSize(payload, what)
    const f = splitList(payload, what)
    if (f.length < 2)
      throw new EthError('ERR_DECODE', `invalid ${what}: expected [request-id, items]`)
    const items = splitList(f[1] as Uint8Array, `${what} items`, maxItems)
    if (!allowStrings) {
      for (const item of items) {
        if ((item[0] as number) < 0xc0)
          throw new EthError('ERR_INVALID_ITEM', `invalid ${what}: item is not a list`)
      }
    }
    return { requestId: readBigUint(f[0], `${what} request id`), items }
  },
)

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
    const max = maxItems ?? Number.POSITIVE_INFINITY
    return {
      requestId: readBigUint(f[0], `${what} request id`),
      hashes:
        hashList(f[1] as Uint8Array, max) ??
        splitList(f[1] as Uint8Array, `${what} hashes`, max).map((h) =>
          readFixed(h, 32, `${what} hash`),
        ),
    }
  },
)

/**
 * The hashes of `list` (one well-framed RLP item) when it is a list of at most `max` 32-byte
 * strings, as views: one per hash, where the general path makes two and a head per item (a
 * 10 MiB request of hashes is 300 000 of them). Undefined otherwise: the caller then takes the
 * general path, which says what is wrong.
 */
export function hashList(
  list: Uint8Array,
  max = Number.POSITIVE_INFINITY,
): Uint8Array[] | undefined {
  const first = list[0] as number
  if (first < 0xc0) return undefined
  const start = first <= 0xf7 ? 1 : 1 + (first - 0xf7)
  const n = (list.length - start) / 33
  if (!Number.isInteger(n) || n > max) return undefined
  const hashes = new Array<Uint8Array>(n)
  for (let i = 0, p = start; i < n; i++, p += 33) {
    if (list[p] !== 0xa0) return undefined
    hashes[i] = list.subarray(p + 1, p + 33)
  }
  return hashes
}

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

import {
  encodeBytes,
  encodeList,
  encodeUint,
  readBigUint,
  readBytes,
  readUint,
  splitList,
} from '@x/core'
import { EthError, ethDecoder } from '../errors.js'
import { maxRequestItems } from './codes.js'
import { checkSize } from './limits.js'
import { decodeRawItemsResponse, encodeRawItemsResponse } from './request.js'

/**
 * GetBlockHeaders: `[request-id, [origin, amount, skip, reverse]]`, origin a block hash (32
 * bytes) or number. Origin number, amount and skip are uint64 on the wire; decoded, a value above
 * 2^53 − 1 reads as `Number.MAX_SAFE_INTEGER` (no chain reaches either, so the answer is the
 * same: go-ethereum finds no such block, and caps the amount).
 */
export interface GetBlockHeaders {
  requestId: bigint
  origin: Uint8Array | number
  amount: number
  skip: number
  reverse: boolean
}

/** BlockHeaders: `[request-id, [header…]]`, each header kept as its raw RLP encoding. */
export interface BlockHeaders {
  requestId: bigint
  headers: Uint8Array[]
}

export function encodeGetBlockHeaders(r: GetBlockHeaders): Uint8Array {
  const origin = typeof r.origin === 'number' ? encodeUint(r.origin) : encodeBytes(r.origin)
  return encodeList([
    encodeUint(r.requestId),
    encodeList([origin, encodeUint(r.amount), encodeUint(r.skip), encodeUint(r.reverse ? 1 : 0)]),
  ])
}

/** A uint64 (go-ethereum's field type), saturated at `Number.MAX_SAFE_INTEGER`. */
function readUint64(raw: Uint8Array | undefined, what: string): number {
  const v = readBigUint(raw, what, 8)
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v)
}

export const decodeGetBlockHeaders = ethDecoder((payload: Uint8Array): GetBlockHeaders => {
  checkSize(payload, 'GetBlockHeaders')
  const f = splitList(payload, 'GetBlockHeaders')
  if (f.length < 2) throw new EthError('ERR_DECODE', 'invalid GetBlockHeaders: too few fields')
  const q = splitList(f[1] as Uint8Array, 'GetBlockHeaders query')
  if (q.length < 4)
    throw new EthError('ERR_DECODE', 'invalid GetBlockHeaders query: too few fields')
  const originBytes = readBytes(q[0], 'GetBlockHeaders origin')
  const origin =
    originBytes.length === 32 ? originBytes : readUint64(q[0], 'GetBlockHeaders origin number')
  const reverse = readUint(q[3], 'GetBlockHeaders reverse')
  if (reverse > 1) throw new EthError('ERR_DECODE', 'invalid GetBlockHeaders: reverse not a bool')
  return {
    requestId: readBigUint(f[0], 'GetBlockHeaders request id'),
    origin,
    amount: readUint64(q[1], 'GetBlockHeaders amount'),
    skip: readUint64(q[2], 'GetBlockHeaders skip'),
    reverse: reverse === 1,
  }
})

export function encodeBlockHeaders(r: BlockHeaders): Uint8Array {
  return encodeRawItemsResponse({ requestId: r.requestId, items: r.headers })
}

export function decodeBlockHeaders(payload: Uint8Array): BlockHeaders {
  const { requestId, items } = decodeRawItemsResponse(payload, 'BlockHeaders', maxRequestItems)
  return { requestId, headers: items }
}

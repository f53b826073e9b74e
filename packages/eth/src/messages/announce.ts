import {
  encodeBytes,
  encodeHashList,
  encodeList,
  encodeUint,
  readBigUint,
  readBytes,
  readFixed,
  readUint,
  splitList,
} from '@x/core'
import { EthError, ethDecoder } from '../errors.js'
import { maxTxItems } from './codes.js'
import { checkSize } from './limits.js'

/** NewBlockHashes (eth/68 only): `[[hash, number]…]`. */
export type NewBlockHashes = { hash: Uint8Array; number: number }[]

/** NewBlock (eth/68 only): `[block, td]`, the block as its raw RLP `[header, txs, uncles, …]`. */
export interface NewBlock {
  block: Uint8Array
  td: bigint
}

/** NewPooledTransactionHashes, eth/68 form: `[types, [size…], [hash…]]`. */
export interface NewPooledTransactionHashes {
  types: Uint8Array
  sizes: number[]
  hashes: Uint8Array[]
}

export function encodeNewBlockHashes(a: NewBlockHashes): Uint8Array {
  return encodeList(a.map((e) => encodeList([encodeBytes(e.hash), encodeUint(e.number)])))
}

export const decodeNewBlockHashes = ethDecoder((payload: Uint8Array): NewBlockHashes => {
  checkSize(payload, 'NewBlockHashes')
  return splitList(payload, 'NewBlockHashes', maxTxItems).map((raw) => {
    const [hash, number] = splitList(raw, 'NewBlockHashes entry')
    return { hash: readFixed(hash, 32, 'block hash'), number: readUint(number, 'block number') }
  })
})

export function encodeNewBlock(b: NewBlock): Uint8Array {
  return encodeList([b.block, encodeUint(b.td)])
}

export const decodeNewBlock = ethDecoder((payload: Uint8Array): NewBlock => {
  checkSize(payload, 'NewBlock')
  const f = splitList(payload, 'NewBlock')
  if (f.length < 2) throw new EthError('ERR_DECODE', 'invalid NewBlock: expected [block, td]')
  const block = f[0] as Uint8Array
  const parts = splitList(block, 'NewBlock block')
  if (parts.length < 3)
    throw new EthError('ERR_DECODE', 'invalid NewBlock: block has too few parts')
  splitList(parts[0] as Uint8Array, 'NewBlock header')
  return { block, td: readBigUint(f[1], 'NewBlock td', 32) }
})

export function encodeNewPooledTransactionHashes(a: NewPooledTransactionHashes): Uint8Array {
  return encodeList([
    encodeBytes(a.types),
    encodeList(a.sizes.map((s) => encodeUint(s))),
    encodeHashList(a.hashes),
  ])
}

/** Decodes the eth/68 announcement; the three lists must have the same length. */
export const decodeNewPooledTransactionHashes = ethDecoder(
  (payload: Uint8Array): NewPooledTransactionHashes => {
    checkSize(payload, 'NewPooledTransactionHashes')
    const f = splitList(payload, 'NewPooledTransactionHashes')
    if (f.length < 3)
      throw new EthError('ERR_DECODE', 'invalid NewPooledTransactionHashes: too few fields')
    const types = readBytes(f[0], 'announced types')
    const sizes = splitList(f[1] as Uint8Array, 'announced sizes', maxTxItems).map((s) =>
      readUint(s, 'announced size'),
    )
    const hashes = splitList(f[2] as Uint8Array, 'announced hashes', maxTxItems).map((h) =>
      readFixed(h, 32, 'announced hash'),
    )
    if (types.length !== hashes.length || sizes.length !== hashes.length) {
      throw new EthError(
        'ERR_DECODE',
        `invalid NewPooledTransactionHashes: ${types.length} types, ${sizes.length} sizes, ${hashes.length} hashes`,
      )
    }
    return { types, sizes, hashes }
  },
)

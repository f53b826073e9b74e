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
import { custodyBitmapSize, emptyCustody } from './cells.js'
import { type EthVersion, maxTxItems } from './codes.js'
import { checkSize } from './limits.js'

/** NewBlockHashes (eth/68 only): `[[hash, number]…]`. */
export type NewBlockHashes = { hash: Uint8Array; number: number }[]

/** NewBlock (eth/68 only): `[block, td]`, the block as its raw RLP `[header, txs, uncles, …]`. */
export interface NewBlock {
  block: Uint8Array
  td: bigint
}

/**
 * NewPooledTransactionHashes, eth/68 form `[types, [size…], [hash…]]`; eth/72 appends the custody
 * bitmap of the blob cells the announcer holds (`mask`, 16 bytes; go-ethereum's
 * `NewPooledTransactionHashesPacket72`).
 */
export interface NewPooledTransactionHashes {
  types: Uint8Array
  sizes: number[]
  hashes: Uint8Array[]
  /** eth/72 only. */
  mask?: Uint8Array
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

export function encodeNewPooledTransactionHashes(
  a: NewPooledTransactionHashes,
  version: EthVersion = 68,
): Uint8Array {
  const fields = [
    encodeBytes(a.types),
    encodeList(a.sizes.map((s) => encodeUint(s))),
    encodeHashList(a.hashes),
  ]
  if (version >= 72) fields.push(encodeBytes(a.mask ?? emptyCustody()))
  return encodeList(fields)
}

/**
 * Decodes the announcement of `version` (eth/72: with its mask); the three lists must have the
 * same length, else `ERR_ANNOUNCE_LENGTHS` (a check after the decode in go-ethereum's
 * `handleNewPooledTransactionHashes`, so a subprotocol error, not a malformed message).
 */
export const decodeNewPooledTransactionHashes = ethDecoder(
  (payload: Uint8Array, version: EthVersion = 68): NewPooledTransactionHashes => {
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
        'ERR_ANNOUNCE_LENGTHS',
        `invalid NewPooledTransactionHashes: ${types.length} types, ${sizes.length} sizes, ${hashes.length} hashes`,
      )
    }
    if (version < 72) return { types, sizes, hashes }
    if (f.length < 4)
      throw new EthError('ERR_DECODE', 'invalid eth/72 NewPooledTransactionHashes: no mask')
    return { types, sizes, hashes, mask: readFixed(f[3], custodyBitmapSize, 'announced mask') }
  },
)

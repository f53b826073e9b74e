import {
  encodeBytes,
  encodeHashList,
  encodeList,
  encodeUint,
  readBigUint,
  readFixed,
  splitList,
} from '@x/core'
import { EthError, ethDecoder } from '../errors.js'
import { maxTxItems } from './codes.js'
import { checkSize } from './limits.js'

/** Cells of an extended blob (EIP-7594 `CELLS_PER_EXT_BLOB`), one bit each in a custody bitmap. */
export const cellsPerBlob = 128
/** Bytes of one cell (go-ethereum's `kzg4844.Cell`: 64 field elements of 32 bytes). */
export const cellSize = 2048
/** A custody bitmap (go-ethereum's `types.CustodyBitmap`): 128 bits, cell i at bit i. */
export const custodyBitmapSize = cellsPerBlob / 8
/** The bitmap with no cell set (what an announcement of transactions without blobs carries). */
export const emptyCustody = (): Uint8Array => new Uint8Array(custodyBitmapSize)

/** GetCells (eth/72): `[request-id, [txhash…], mask]`: for each transaction, the masked cells. */
export interface GetCells {
  requestId: bigint
  hashes: Uint8Array[]
  mask: Uint8Array
}

/**
 * Cells (eth/72): `[request-id, [txhash…], [[cell…]…], mask]`: per transaction served, its cells
 * for the mask, cell index by cell index and blob by blob within each.
 */
export interface Cells {
  requestId: bigint
  hashes: Uint8Array[]
  cells: Uint8Array[][]
  mask: Uint8Array
}

export function encodeGetCells(r: GetCells): Uint8Array {
  return encodeList([encodeUint(r.requestId), encodeHashList(r.hashes), encodeBytes(r.mask)])
}

export const decodeGetCells = ethDecoder((payload: Uint8Array): GetCells => {
  checkSize(payload, 'GetCells')
  const f = splitList(payload, 'GetCells')
  if (f.length < 3)
    throw new EthError('ERR_DECODE', 'invalid GetCells: expected [request-id, hashes, mask]')
  return {
    requestId: readBigUint(f[0], 'GetCells request id'),
    hashes: splitList(f[1] as Uint8Array, 'GetCells hashes').map((h) =>
      readFixed(h, 32, 'GetCells hash'),
    ),
    mask: readFixed(f[2], custodyBitmapSize, 'GetCells mask'),
  }
})

export function encodeCells(r: Cells): Uint8Array {
  return encodeList([
    encodeUint(r.requestId),
    encodeHashList(r.hashes),
    encodeList(r.cells.map((cs) => encodeList(cs.map(encodeBytes)))),
    encodeBytes(r.mask),
  ])
}

export const decodeCells = ethDecoder((payload: Uint8Array): Cells => {
  checkSize(payload, 'Cells')
  const f = splitList(payload, 'Cells')
  if (f.length < 4)
    throw new EthError('ERR_DECODE', 'invalid Cells: expected [request-id, hashes, cells, mask]')
  const hashes = splitList(f[1] as Uint8Array, 'Cells hashes', maxTxItems).map((h) =>
    readFixed(h, 32, 'Cells hash'),
  )
  const cells = splitList(f[2] as Uint8Array, 'Cells cells', maxTxItems).map((list) =>
    splitList(list, 'Cells cell list').map((c) => readFixed(c, cellSize, 'cell')),
  )
  return {
    requestId: readBigUint(f[0], 'Cells request id'),
    hashes,
    cells,
    mask: readFixed(f[3], custodyBitmapSize, 'Cells mask'),
  }
})

/** Number of cells set in a custody bitmap. */
export function custodyCount(mask: Uint8Array): number {
  let n = 0
  for (const byte of mask) {
    for (let b = byte; b !== 0; b &= b - 1) n++
  }
  return n
}

import {
  encodeStringList,
  getCrypto,
  readBigUint,
  readBytes,
  readFixed,
  readUint,
  splitList,
  uintBytes,
} from '@x/core'
import { EthError, ethDecoder } from './errors.js'

/**
 * A block header (the yellow paper's fields, plus the London base fee when present). Later
 * optional fields (withdrawals root, blob gas, beacon root, requests hash) are kept raw in
 * `extraFields` so a decoded header re-encodes to the same bytes.
 */
export interface BlockHeader {
  parentHash: Uint8Array
  uncleHash: Uint8Array
  coinbase: Uint8Array
  stateRoot: Uint8Array
  txRoot: Uint8Array
  receiptRoot: Uint8Array
  bloom: Uint8Array
  difficulty: bigint
  number: number
  gasLimit: number
  gasUsed: number
  time: number
  extra: Uint8Array
  mixDigest: Uint8Array
  nonce: Uint8Array
  baseFee?: bigint
  /** Raw RLP of the fields after the base fee, in order. */
  extraFields?: Uint8Array[]
}

export function encodeHeader(h: BlockHeader): Uint8Array {
  const f = [
    h.parentHash,
    h.uncleHash,
    h.coinbase,
    h.stateRoot,
    h.txRoot,
    h.receiptRoot,
    h.bloom,
    uintBytes(h.difficulty),
    uintBytes(h.number),
    uintBytes(h.gasLimit),
    uintBytes(h.gasUsed),
    uintBytes(h.time),
    h.extra,
    h.mixDigest,
    h.nonce,
  ]
  if (h.baseFee !== undefined) f.push(uintBytes(h.baseFee))
  return encodeStringList(f, h.extraFields)
}

/** Decodes a raw header; throws {@link EthError} `ERR_DECODE`. */
export const decodeHeader = ethDecoder((raw: Uint8Array): BlockHeader => {
  const f = splitList(raw, 'header')
  if (f.length < 15) throw new EthError('ERR_DECODE', `invalid header: ${f.length} fields`)
  const h: BlockHeader = {
    parentHash: readFixed(f[0], 32, 'header parent hash'),
    uncleHash: readFixed(f[1], 32, 'header uncle hash'),
    coinbase: readFixed(f[2], 20, 'header coinbase'),
    stateRoot: readFixed(f[3], 32, 'header state root'),
    txRoot: readFixed(f[4], 32, 'header tx root'),
    receiptRoot: readFixed(f[5], 32, 'header receipt root'),
    bloom: readFixed(f[6], 256, 'header bloom'),
    difficulty: readBigUint(f[7], 'header difficulty', 32),
    number: readUint(f[8], 'header number'),
    gasLimit: readUint(f[9], 'header gas limit'),
    gasUsed: readUint(f[10], 'header gas used'),
    time: readUint(f[11], 'header time'),
    extra: readBytes(f[12], 'header extra'),
    mixDigest: readFixed(f[13], 32, 'header mix digest'),
    nonce: readFixed(f[14], 8, 'header nonce'),
  }
  if (f.length > 15) h.baseFee = readBigUint(f[15], 'header base fee', 32)
  if (f.length > 16) h.extraFields = f.slice(16)
  return h
})

/** The block hash: keccak256 of the raw header. */
export function headerHash(raw: Uint8Array): Uint8Array {
  return getCrypto().keccak256(raw)
}

/** The block number of a raw header, without decoding the rest. */
export const headerNumber = ethDecoder((raw: Uint8Array): number => {
  return readUint(splitList(raw, 'header')[8], 'header number')
})

/** The raw parts `[header, txs, uncles, …]` of a raw block (NewBlock, `insertBlock`). */
export const blockParts = ethDecoder((block: Uint8Array): Uint8Array[] => splitList(block, 'block'))

import {
  encodeBytes,
  encodeList,
  encodeUint,
  readBigUint,
  readFixed,
  readUint,
  splitList,
} from '@x/core'
import { EthError, ethDecoder } from '../errors.js'
import { type ForkId, forkIdToRlp } from '../forkid.js'
import { checkSize } from './limits.js'

/** eth/68 Status: `[version, networkid, td, blockhash, genesis, forkid]`. */
export interface Status68 {
  version: 68
  networkId: bigint
  /** Total difficulty of the head. */
  td: bigint
  head: Uint8Array
  genesis: Uint8Array
  forkId: ForkId
}

/**
 * eth/69 Status, unchanged in eth/70, 71 and 72: `[version, networkid, genesis, forkid,
 * earliest, latest, latesthash]` (go-ethereum's `StatusPacket`).
 */
export interface Status69 {
  version: 69 | 70 | 71 | 72
  networkId: bigint
  genesis: Uint8Array
  forkId: ForkId
  earliestBlock: number
  latestBlock: number
  latestHash: Uint8Array
}

export type Status = Status68 | Status69

/** eth/69 BlockRangeUpdate: `[earliest, latest, latesthash]`. */
export interface BlockRange {
  earliestBlock: number
  latestBlock: number
  latestHash: Uint8Array
}

function encodeForkIdRaw(id: ForkId): Uint8Array {
  const [hash, next] = forkIdToRlp(id)
  return encodeList([encodeBytes(hash), encodeUint(next)])
}

function decodeForkIdRaw(raw: Uint8Array | undefined): ForkId {
  if (raw === undefined) throw new EthError('ERR_DECODE', 'invalid status: missing fork id')
  const [hash, next] = splitList(raw, 'fork id')
  const h = readFixed(hash, 4, 'fork id hash')
  return {
    hash:
      ((h[0] as number) * 2 ** 24 +
        ((h[1] as number) << 16) +
        ((h[2] as number) << 8) +
        (h[3] as number)) >>>
      0,
    next: readBigUint(next, 'fork id next', 8),
  }
}

export function encodeStatus(s: Status): Uint8Array {
  if (s.version === 68) {
    return encodeList([
      encodeUint(68),
      encodeUint(s.networkId),
      encodeUint(s.td),
      encodeBytes(s.head),
      encodeBytes(s.genesis),
      encodeForkIdRaw(s.forkId),
    ])
  }
  return encodeList([
    encodeUint(s.version),
    encodeUint(s.networkId),
    encodeBytes(s.genesis),
    encodeForkIdRaw(s.forkId),
    encodeUint(s.earliestBlock),
    encodeUint(s.latestBlock),
    encodeBytes(s.latestHash),
  ])
}

/**
 * Decodes a Status of either version (the first element says which). Extra trailing elements
 * are ignored, as RLP's forward-compatibility rule allows; a version we do not speak decodes
 * into the shape of the nearest one so the handshake can report the version mismatch.
 */
export const decodeStatus = ethDecoder((payload: Uint8Array): Status => {
  checkSize(payload, 'status')
  const f = splitList(payload, 'status')
  const version = readUint(f[0], 'status version')
  const networkId = readBigUint(f[1], 'status network id', 8)
  if (version >= 69) {
    if (f.length < 7) throw new EthError('ERR_DECODE', 'invalid status: too few fields')
    return {
      version: version as Status69['version'],
      networkId,
      genesis: readFixed(f[2], 32, 'status genesis'),
      forkId: decodeForkIdRaw(f[3]),
      earliestBlock: readUint(f[4], 'status earliest block'),
      latestBlock: readUint(f[5], 'status latest block'),
      latestHash: readFixed(f[6], 32, 'status latest hash'),
    }
  }
  if (f.length < 6) throw new EthError('ERR_DECODE', 'invalid status: too few fields')
  return {
    version: version as 68,
    networkId,
    td: readBigUint(f[2], 'status td', 32),
    head: readFixed(f[3], 32, 'status head'),
    genesis: readFixed(f[4], 32, 'status genesis'),
    forkId: decodeForkIdRaw(f[5]),
  }
})

export function encodeBlockRangeUpdate(r: BlockRange): Uint8Array {
  return encodeList([
    encodeUint(r.earliestBlock),
    encodeUint(r.latestBlock),
    encodeBytes(r.latestHash),
  ])
}

export const decodeBlockRangeUpdate = ethDecoder((payload: Uint8Array): BlockRange => {
  checkSize(payload, 'block range update')
  const f = splitList(payload, 'block range update')
  return {
    earliestBlock: readUint(f[0], 'earliest block'),
    latestBlock: readUint(f[1], 'latest block'),
    latestHash: readFixed(f[2], 32, 'latest hash'),
  }
})

/**
 * Checks a block range (BlockRangeUpdate or eth/69 Status): earliest ≤ latest and a non-zero
 * latest hash. Throws {@link EthError} `ERR_INVALID_BLOCK_RANGE`.
 */
export function validateBlockRange(r: BlockRange): void {
  if (r.earliestBlock > r.latestBlock) {
    throw new EthError(
      'ERR_INVALID_BLOCK_RANGE',
      `invalid block range: earliest ${r.earliestBlock} > latest ${r.latestBlock}`,
    )
  }
  if (r.latestHash.every((b) => b === 0)) {
    throw new EthError('ERR_INVALID_BLOCK_RANGE', 'invalid block range: zero latest hash')
  }
}

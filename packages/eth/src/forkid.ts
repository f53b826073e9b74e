import { crc32 } from 'node:zlib'
import { asBigUint, asFixedBytes, asList, decodeRlp, encodeRlp, type RlpItem } from '@x/core'
import type { ChainConfig } from './chain.js'
import { EthError } from './errors.js'

/**
 * An EIP-2124 fork identifier: `hash` is the CRC-32 of the genesis hash and every passed fork
 * (uint32), `next` the block number or timestamp of the next known fork, 0 if none.
 */
export interface ForkId {
  hash: number
  next: bigint
}

/**
 * Fork timestamps are told apart from fork block numbers by size, as go-ethereum does: any
 * announced `next` above mainnet's genesis timestamp (Frontier, 2015-07-30) is a time.
 */
export const timestampThreshold = 1_438_269_973

const maxUint64 = (1n << 64n) - 1n

/** The fork blocks and fork times of a chain, sorted, deduplicated, without forks at genesis. */
export function gatherForks(chain: ChainConfig): { blocks: number[]; times: number[] } {
  const clean = (list: readonly number[], genesis: number) =>
    [...new Set(list)].filter((f) => f > genesis).sort((a, b) => a - b)
  return { blocks: clean(chain.forkBlocks, 0), times: clean(chain.forkTimes, chain.genesisTime) }
}

function uint64Bytes(v: number): Uint8Array {
  const b = new Uint8Array(8)
  new DataView(b.buffer).setBigUint64(0, BigInt(v))
  return b
}

/** The fork id of `chain` at head block `head` with timestamp `time` (EIP-2124 "FORK_HASH"). */
export function forkIdAt(chain: ChainConfig, head: number, time: number): ForkId {
  const { blocks, times } = gatherForks(chain)
  let hash = crc32(chain.genesisHash)
  for (const fork of blocks) {
    if (fork > head) return { hash, next: BigInt(fork) }
    hash = crc32(uint64Bytes(fork), hash)
  }
  for (const fork of times) {
    if (fork > time) return { hash, next: BigInt(fork) }
    hash = crc32(uint64Bytes(fork), hash)
  }
  return { hash, next: 0n }
}

/** Why a remote fork id was rejected (go-ethereum's `ErrRemoteStale`, `ErrLocalIncompatibleOrStale`). */
export type ForkIdRejection = 'ERR_REMOTE_STALE' | 'ERR_LOCAL_INCOMPATIBLE_OR_STALE'

/** Validates remote fork ids against the local chain; returns undefined to accept. */
export type ForkFilter = (id: ForkId) => ForkIdRejection | undefined

/**
 * Builds the EIP-2124 validation filter for `chain`, reading the local head (block number and
 * timestamp) from `head` on every call. Rules, in order: (1) same checksum as ours at our head —
 * accept unless the remote's next fork already passed here; (2) the remote's checksum is one of
 * our past ones — accept only if its `next` is the fork that followed it (else it is stale);
 * (3) the remote's checksum is one of our future ones — accept (we are behind); else reject.
 */
export function forkFilter(
  chain: ChainConfig,
  head: () => { number: number; time: number },
): ForkFilter {
  const { blocks, times } = gatherForks(chain)
  const forks = [...blocks, ...times]
  const sums: number[] = [crc32(chain.genesisHash)]
  for (const fork of forks) sums.push(crc32(uint64Bytes(fork), sums[sums.length - 1] as number))
  const bounds: bigint[] = [...forks.map(BigInt), maxUint64]
  return (id) => {
    const local = head()
    for (let i = 0; i < bounds.length; i++) {
      const at = BigInt(i >= blocks.length ? local.time : local.number)
      if (at >= (bounds[i] as bigint)) continue
      if (sums[i] === id.hash) {
        const passed =
          id.next > 0n &&
          (BigInt(local.number) >= id.next ||
            (id.next > BigInt(timestampThreshold) && BigInt(local.time) >= id.next))
        return passed ? 'ERR_LOCAL_INCOMPATIBLE_OR_STALE' : undefined
      }
      for (let j = 0; j < i; j++) {
        if (sums[j] === id.hash) return bounds[j] === id.next ? undefined : 'ERR_REMOTE_STALE'
      }
      for (let j = i + 1; j < sums.length; j++) if (sums[j] === id.hash) return undefined
      return 'ERR_LOCAL_INCOMPATIBLE_OR_STALE'
    }
    return undefined
  }
}

/** The fork id as its RLP item `[hash(4), next]`. */
export function forkIdToRlp(id: ForkId): [Uint8Array, bigint] {
  const hash = new Uint8Array(4)
  new DataView(hash.buffer).setUint32(0, id.hash)
  return [hash, id.next]
}

/** The fork id from its RLP item; throws {@link EthError} `ERR_DECODE`. */
export function forkIdFromRlp(item: RlpItem | undefined): ForkId {
  try {
    const l = asList(item, 'fork id')
    if (l.length < 2) throw new EthError('ERR_DECODE', 'fork id: expected [hash, next]')
    const hash = asFixedBytes(l[0], 4, 'fork id hash')
    return {
      hash: new DataView(hash.buffer, hash.byteOffset, 4).getUint32(0),
      next: asBigUint(l[1], 'fork id next', 8),
    }
  } catch (cause) {
    if (cause instanceof EthError) throw cause
    throw new EthError('ERR_DECODE', `invalid fork id: ${(cause as Error).message}`, { cause })
  }
}

export function encodeForkId(id: ForkId): Uint8Array {
  return encodeRlp(forkIdToRlp(id))
}

export function decodeForkId(data: Uint8Array): ForkId {
  let item: RlpItem
  try {
    item = decodeRlp(data)
  } catch (cause) {
    throw new EthError('ERR_DECODE', 'invalid fork id RLP', { cause })
  }
  return forkIdFromRlp(item)
}

import { crc32 } from 'node:zlib'
import { toHex as hex } from '@x/core'
import { describe, expect, it } from 'vitest'
import { type ChainConfig, mainnet } from '../src/chain.js'
import { EthError } from '../src/errors.js'
import { decodeForkId, encodeForkId, forkFilter, forkIdAt } from '../src/forkid.js'
import vectors from './fixtures/forkid.json' with { type: 'json' }

const hexNum = (h: string) => Number.parseInt(h.replace(/^0x/, ''), 16)
const big = (v: number | string) => BigInt(v)

/** Mainnet as the EIP was written: forks up to Petersburg only. */
const petersburgCapped: ChainConfig = {
  ...mainnet,
  forkBlocks: mainnet.forkBlocks.filter((b) => b <= 7_280_000),
  forkTimes: [],
}

describe('crc32', () => {
  it('matches the IEEE check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926)
    expect(crc32(new Uint8Array())).toBe(0)
  })
  it('gives the spec examples', () => {
    expect(crc32(mainnet.genesisHash)).toBe(hexNum(vectors.spec_examples.forkhash0_genesis))
  })
})

describe('mainnet config matches the vectors', () => {
  it('genesis, fork blocks and times', () => {
    expect(hex(mainnet.genesisHash)).toBe(vectors.mainnet.genesis_hash.slice(2))
    expect([...mainnet.forkBlocks].sort((a, b) => a - b)).toEqual(
      Object.values(vectors.mainnet.fork_blocks).sort((a, b) => a - b),
    )
    expect([...mainnet.forkTimes]).toEqual(Object.values(vectors.mainnet.fork_times))
  })
})

describe('forkIdAt', () => {
  it.each(vectors.eip2124_mainnet_creation.cases)('EIP-2124 $comment', (c) => {
    expect(forkIdAt(petersburgCapped, c.head, 0)).toEqual({
      hash: hexNum(c.hash),
      next: big(c.next),
    })
  })
  it.each(vectors.geth_mainnet_creation.cases)('go-ethereum $comment', (c) => {
    expect(forkIdAt(mainnet, c.head, c.time)).toEqual({ hash: hexNum(c.hash), next: big(c.next) })
  })
  it('gives what ethereumjs sends on mainnet/Prague', () => {
    expect(forkIdAt(mainnet, 22_500_000, 1_746_612_311)).toEqual({
      hash: 0xc376cf8b,
      next: 0x6930b057n,
    })
  })
})

describe('forkFilter', () => {
  const expected: Record<string, string | undefined> = {
    accept: undefined,
    ErrRemoteStale: 'ERR_REMOTE_STALE',
    ErrLocalIncompatibleOrStale: 'ERR_LOCAL_INCOMPATIBLE_OR_STALE',
  }
  it.each(vectors.eip2124_mainnet_validation.cases)('$expected: $comment', (c) => {
    const filter = forkFilter(petersburgCapped, () => ({ number: c.head, time: 0 }))
    expect(filter({ hash: hexNum(c.remote_hash), next: big(c.remote_next) })).toBe(
      expected[c.expected],
    )
  })
  it('accepts a remote on a future time fork and rejects a foreign chain', () => {
    const filter = forkFilter(mainnet, () => ({ number: 0, time: 0 }))
    expect(filter({ hash: 0xc376cf8b, next: 0x6930b057n })).toBeUndefined()
    expect(filter({ hash: 0xdeadbeef, next: 0n })).toBe('ERR_LOCAL_INCOMPATIBLE_OR_STALE')
  })
})

describe('fork id encoding', () => {
  it.each(vectors.encoding.cases)('$rlp', (c) => {
    const id = { hash: hexNum(c.hash_bytes), next: big(c.next) }
    expect(hex(encodeForkId(id))).toBe(c.rlp)
    expect(decodeForkId(Buffer.from(c.rlp, 'hex'))).toEqual(id)
  })
  it('rejects malformed fork ids with ERR_DECODE', () => {
    for (const bad of [
      'c0',
      'c3820102',
      'c6830000000080',
      'c584000000',
      '80',
      'c784000000000001',
    ]) {
      const err = (() => {
        try {
          decodeForkId(Buffer.from(bad, 'hex'))
        } catch (e) {
          return e
        }
      })()
      expect(err, bad).toBeInstanceOf(EthError)
      expect((err as EthError).code).toBe('ERR_DECODE')
    }
  })
})

import { concatBytes, encodeList, toHex as hex } from '@x/core'
import { ManualClock } from '@x/core/testing'
import { describe, expect, it } from 'vitest'
import { devnet, emptyRootHash } from '../src/chain.js'
import { checkBody, importChainFile, readChainFile } from '../src/chain-file.js'
import { EthError } from '../src/errors.js'
import { decodeHeader, encodeHeader } from '../src/header.js'
import { MemoryChain } from '../src/memory-backend.js'
import { deriveSha } from '../src/trie-root.js'

/** A chain file of `n` blocks mined on the devnet genesis, from block `from` (0 = with genesis). */
function chainFile(n: number, from = 1): { file: Uint8Array; source: MemoryChain } {
  const source = new MemoryChain(devnet, { clock: new ManualClock(), blockTime: 12 })
  for (let i = 0; i < n; i++) source.mine()
  const blocks: Uint8Array[] = []
  for (let i = from; i <= n; i++) blocks.push(source.blockByNumber(i) as Uint8Array)
  return { file: concatBytes(...blocks), source }
}

describe('readChainFile', () => {
  it('reads a header chain on top of genesis, skipping the genesis block itself', () => {
    const { file, source } = chainFile(5, 0)
    const genesis = { number: 0, hash: devnet.genesisHash }
    const blocks = readChainFile(file, genesis)
    expect(blocks.map((b) => b.number)).toEqual([1, 2, 3, 4, 5])
    expect(hex(blocks[4]!.hash)).toBe(hex(source.head().hash))
    expect(hex(blocks[0]!.body)).toBe(hex(encodeList([encodeList([]), encodeList([])])))
  })

  it('rejects a gap, a wrong parent hash, another genesis and a truncated file', () => {
    const { file, source } = chainFile(3)
    const genesis = { number: 0, hash: devnet.genesisHash }
    const b = (n: number) => source.blockByNumber(n) as Uint8Array
    expect(() => readChainFile(concatBytes(b(1), b(3)), genesis)).toThrow(/does not follow/)
    const wrong = { number: 0, hash: new Uint8Array(32).fill(1) }
    expect(() => readChainFile(file, wrong)).toThrow(/parent hash/)
    expect(() => readChainFile(concatBytes(b(0)), wrong)).toThrow(/not ours/)
    expect(() => readChainFile(file.subarray(0, file.length - 3), genesis)).toThrow(EthError)
  })
})

describe('checkBody', () => {
  it('accepts a body matching its header and rejects a transaction root mismatch', async () => {
    const [block] = readChainFile(chainFile(1).file, { number: 0, hash: devnet.genesisHash })
    await checkBody(block!)
    const tx = encodeList([new Uint8Array([1]), new Uint8Array([2])])
    const body = encodeList([encodeList([tx]), encodeList([])])
    await expect(checkBody({ ...block!, body })).rejects.toThrow(/transaction root/)
    const header = { ...decodeHeader(block!.header), txRoot: await deriveSha([tx]) }
    await checkBody({ ...block!, header: encodeHeader(header), body })
  })

  it('wants withdrawals exactly when the header has a withdrawals root', async () => {
    const [block] = readChainFile(chainFile(1).file, { number: 0, hash: devnet.genesisHash })
    const withBody = encodeList([encodeList([]), encodeList([]), encodeList([])])
    await expect(checkBody({ ...block!, body: withBody })).rejects.toThrow(/withdrawals/)
    const h = decodeHeader(block!.header)
    const header = encodeHeader({
      ...h,
      baseFee: 7n,
      extraFields: [concatBytes(new Uint8Array([0xa0]), emptyRootHash)],
    })
    await checkBody({ ...block!, header, body: withBody })
    await expect(checkBody({ ...block!, header })).rejects.toThrow(/withdrawals/)
  })
})

describe('importChainFile', () => {
  it('imports every block and serves it; imports nothing from a bad file', async () => {
    const { file, source } = chainFile(4)
    const chain = new MemoryChain(devnet, { clock: new ManualClock() })
    expect(await importChainFile(chain, file)).toBe(4)
    expect(hex(chain.head().hash)).toBe(hex(source.head().hash))
    expect(chain.bodyByNumber(3)).toEqual(source.bodyByNumber(3))
    const fresh = new MemoryChain(devnet, { clock: new ManualClock() })
    await expect(importChainFile(fresh, file.subarray(0, file.length - 1))).rejects.toThrow(
      EthError,
    )
    expect(fresh.head().number).toBe(0)
  })
})

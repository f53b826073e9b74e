import { concatBytes, encodeBytes, encodeList, encodeUint, toHex as hex } from '@x/core'
import { ManualClock } from '@x/core/testing'
import { describe, expect, it } from 'vitest'
import { devnet, mainnet } from '../src/chain.js'
import { EthError } from '../src/errors.js'
import { decodeHeader, encodeHeader, headerHash, headerNumber } from '../src/header.js'
import { txHash } from '../src/index.js'
import {
  MemoryChain,
  MemoryTxPool,
  memoryBackend,
  memoryChainDefaults,
} from '../src/memory-backend.js'
import { serveByHash, serveHeaders } from '../src/serve.js'

const numbers = (headers: Uint8Array[]) => headers.map(headerNumber)

function chainOf(n: number, options = {}) {
  const chain = new MemoryChain(devnet, { clock: new ManualClock(), ...options })
  for (let i = 0; i < n; i++) chain.mine()
  return chain
}

describe('MemoryChain', () => {
  it('starts at the genesis of its config', () => {
    const chain = new MemoryChain(devnet)
    expect(chain.head()).toEqual({
      hash: devnet.genesisHash,
      number: 0,
      td: 1n,
      time: devnet.genesisTime,
    })
    expect(new MemoryChain(mainnet).head().hash).toEqual(mainnet.genesisHash)
  })

  it('refuses a config without a matching genesis header', () => {
    expect(() => new MemoryChain({ ...devnet, genesisHash: mainnet.genesisHash })).toThrow(EthError)
    const { genesisHeader: _, ...bare } = devnet
    expect(() => new MemoryChain(bare)).toThrow(EthError)
  })

  it('mines a linked chain of headers', () => {
    const chain = chainOf(5)
    const head = chain.head()
    expect(head.number).toBe(5)
    expect(head.td).toBe(6n)
    for (let n = 1; n <= 5; n++) {
      const h = decodeHeader(chain.headerByNumber(n)!)
      expect(h.number).toBe(n)
      expect(hex(h.parentHash)).toBe(hex(headerHash(chain.headerByNumber(n - 1)!)))
      expect(chain.headerByHash(headerHash(chain.headerByNumber(n)!))).toEqual(
        chain.headerByNumber(n),
      )
    }
    expect(chain.bodyByHash(head.hash)).toEqual(encodeList([encodeList([]), encodeList([])]))
    expect(chain.receiptsByHash(head.hash)).toEqual(encodeList([]))
  })

  it('has no receipts for an imported block whose receipt root is not the empty root', () => {
    // Without executing its transactions the chain does not know them: serving an empty list
    // would be wrong data (go-ethereum skips such a block in its Receipts reply).
    const chain = new MemoryChain(devnet, { clock: new ManualClock() })
    const parent = decodeHeader(chain.headerByNumber(0)!)
    const header = {
      ...parent,
      parentHash: chain.head().hash,
      number: 1,
      time: parent.time + 12,
      receiptRoot: new Uint8Array(32).fill(7),
    }
    const block = encodeList([encodeHeader(header), encodeList([]), encodeList([])])
    expect(chain.insertBlock(block, 2n)).toBe(true)
    expect(chain.receiptsByHash(chain.head().hash, 69)).toBeUndefined()
    expect(chain.receiptsByNumber(1, 69)).toBeUndefined()
    expect(chain.receiptsByNumber(0, 69)).toEqual(encodeList([]))
  })

  it('mines on an interval until stopped', async () => {
    const clock = new ManualClock()
    const chain = new MemoryChain(devnet, { clock })
    const seen: number[] = []
    chain.onBlock((b) => seen.push(chain.head().number + 0 * b.length))
    chain.start(1000)
    await clock.advance(3000)
    chain.stop()
    await clock.advance(3000)
    expect(seen).toEqual([1, 2, 3])
    expect(clock.pending).toBe(0)
  })

  it('makes the same chain on every node given a block time', () => {
    const a = new MemoryChain(devnet, { clock: new ManualClock(), blockTime: 12 })
    const b = new MemoryChain(devnet, { clock: new ManualClock(1_900_000_000_000), blockTime: 12 })
    for (let i = 0; i < 3; i++) {
      a.mine()
      b.mine()
    }
    expect(b.head().hash).toEqual(a.head().hash)
    expect(a.head().time).toBe(devnet.genesisTime + 36)
  })

  it('restarts its wait when it imports a block', async () => {
    const clock = new ManualClock()
    const leader = new MemoryChain(devnet, { clock: new ManualClock(), blockTime: 1 })
    const chain = new MemoryChain(devnet, { clock, blockTime: 1 })
    chain.start(1000)
    await clock.advance(600)
    expect(chain.insertBlock(leader.mine(), 2n)).toBe(true)
    await clock.advance(600) // 1200 ms after start, 600 after the import: nothing made
    expect(chain.head().number).toBe(1)
    await clock.advance(400)
    expect(chain.head().number).toBe(2)
    expect(chain.head().hash).toEqual(leader.mine() && leader.head().hash)
    chain.stop()
    expect(clock.pending).toBe(0)
  })

  it('refuses a malformed block with EthError ERR_DECODE', () => {
    const chain = new MemoryChain(devnet)
    let err: unknown
    try {
      chain.insertBlock(Uint8Array.of(0xc3, 0x01), 1n)
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(EthError)
    expect((err as EthError).code).toBe('ERR_DECODE')
  })

  it('imports a block that extends its head, and nothing else', () => {
    const a = chainOf(3)
    // Same height, other timestamp: a fork of `a`.
    const b = chainOf(1, { clock: new ManualClock(1_800_000_000_000) })
    expect(b.insertBlock(a.blockByNumber(3)!, 4n)).toBe(false)
    expect(b.insertBlock(a.blockByNumber(2)!, 3n)).toBe(false)
    expect(chainOf(1).insertBlock(a.blockByNumber(2)!, 3n)).toBe(true)
    const c = new MemoryChain(devnet)
    expect(c.insertBlock(a.blockByNumber(1)!, 2n)).toBe(true)
    expect(c.head().hash).toEqual(headerHash(a.headerByNumber(1)!))
  })

  it('keeps at most maxBlocks blocks besides genesis', () => {
    const chain = chainOf(10, { maxBlocks: 4 })
    expect(chain.earliest()).toBe(6)
    expect(chain.headerByNumber(5)).toBeUndefined()
    expect(chain.headerByNumber(6)).toBeDefined()
    expect(chain.headerByNumber(0)).toBeDefined()
    expect(chain.headerByHash(devnet.genesisHash)).toBeDefined()
  })
})

describe('serveHeaders', () => {
  const chain = chainOf(20)
  it('by number, ascending', () => {
    expect(
      numbers(
        serveHeaders(chain, { requestId: 1n, origin: 3, amount: 4, skip: 0, reverse: false }),
      ),
    ).toEqual([3, 4, 5, 6])
  })
  it('by number with skip', () => {
    expect(
      numbers(
        serveHeaders(chain, { requestId: 1n, origin: 0, amount: 5, skip: 4, reverse: false }),
      ),
    ).toEqual([0, 5, 10, 15, 20])
  })
  it('by hash, reverse, with skip, stopping at genesis', () => {
    const origin = headerHash(chain.headerByNumber(10)!)
    expect(
      numbers(serveHeaders(chain, { requestId: 1n, origin, amount: 10, skip: 2, reverse: true })),
    ).toEqual([10, 7, 4, 1])
  })
  it('stops at the head and at unknown hashes', () => {
    expect(
      numbers(
        serveHeaders(chain, { requestId: 1n, origin: 18, amount: 10, skip: 0, reverse: false }),
      ),
    ).toEqual([18, 19, 20])
    expect(
      serveHeaders(chain, {
        requestId: 1n,
        origin: new Uint8Array(32),
        amount: 10,
        skip: 0,
        reverse: false,
      }),
    ).toEqual([])
  })
  it('finds nothing at origin or skip 2^64 − 1 (decoded saturated), forward and reverse', () => {
    const max = Number.MAX_SAFE_INTEGER
    for (const reverse of [false, true]) {
      const q = { requestId: 1n, amount: 1, skip: 0, reverse }
      expect(serveHeaders(chain, { ...q, origin: max })).toEqual([])
      expect(numbers(serveHeaders(chain, { ...q, origin: 5, amount: 3, skip: max }))).toEqual([5])
    }
  })
  it('caps the amount at 1024', () => {
    const long = chainOf(1100)
    expect(
      serveHeaders(long, { requestId: 1n, origin: 0, amount: 5000, skip: 0, reverse: false }),
    ).toHaveLength(1024)
  })
  it('gives bodies and receipts by number or hash', () => {
    const h = headerHash(chain.headerByNumber(2)!)
    expect(chain.bodyByNumber(2)).toEqual(chain.bodyByHash(h))
    expect(chain.receiptsByNumber(2)).toEqual(chain.receiptsByHash(h))
    expect(chain.receiptsByNumber(2)).toEqual(encodeList([]))
    expect(chain.bodyByNumber(999)).toBeUndefined()
    expect(chain.receiptsByNumber(999)).toBeUndefined()
  })
  it('serves by hash up to the first unknown one (the reply is positional, as go-ethereum)', () => {
    const h = headerHash(chain.headerByNumber(2)!)
    expect(serveByHash([h, new Uint8Array(32), h], (x) => chain.bodyByHash(x))).toHaveLength(1)
  })
})

describe('MemoryTxPool', () => {
  const tx = (n: number) => encodeList([encodeUint(n)])
  it('adds new transactions once and drops the oldest when full', () => {
    const pool = new MemoryTxPool(3)
    expect(pool.add([tx(1), tx(2)])).toEqual([tx(1), tx(2)])
    expect(pool.add([tx(2), tx(3), tx(4)])).toEqual([tx(3), tx(4)])
    expect(pool.size).toBe(3)
    expect(pool.has(txHash(tx(1)))).toBe(false)
    expect(pool.get(txHash(tx(4)))).toEqual(tx(4))
    expect(pool.pending()).toEqual([tx(2), tx(3), tx(4)])
  })
  it("refuses transactions over go-ethereum's size limits: 128 KiB, a blob transaction 1 MiB", () => {
    const pool = new MemoryTxPool()
    const sized = (type: number | undefined, size: number) => {
      const body = encodeList([encodeBytes(new Uint8Array(size - 8))])
      return type === undefined ? body : encodeBytes(concatBytes(Uint8Array.of(type), body))
    }
    const limit = memoryChainDefaults.maxTxSize
    const legacyOk = sized(undefined, limit - 64)
    const legacyBig = sized(undefined, limit + 64)
    const typedBig = sized(2, limit + 64)
    const blobOk = sized(3, memoryChainDefaults.maxBlobTxSize - 64)
    const blobBig = sized(3, memoryChainDefaults.maxBlobTxSize + 64)
    expect(legacyOk.length).toBeLessThanOrEqual(limit)
    expect(legacyBig.length).toBeGreaterThan(limit)
    expect(pool.add([legacyOk, legacyBig, typedBig, blobOk, blobBig])).toEqual([legacyOk, blobOk])
    expect(pool.bytes).toBe(legacyOk.length + blobOk.length)
  })
  it('holds at most maxBytes, dropping the oldest to make room', () => {
    const big = (n: number) => encodeList([encodeUint(n), encodeBytes(new Uint8Array(1000))])
    const pool = new MemoryTxPool(100, 3 * big(1).length)
    pool.add([big(1), big(2), big(3)])
    expect(pool.size).toBe(3)
    expect(pool.add([big(4)])).toEqual([big(4)])
    expect(pool.pending()).toEqual([big(2), big(3), big(4)])
    expect(pool.bytes).toBe(3 * big(1).length)
  })
  it('memoryBackend bundles both', () => {
    const b = memoryBackend(devnet, { maxPoolTxs: 2, maxPoolBytes: 1000 })
    expect(b.txPool.max).toBe(2)
    expect(b.txPool.maxBytes).toBe(1000)
    expect(b.chain.head().number).toBe(0)
  })
})

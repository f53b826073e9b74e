import { encodeList, encodeUint, equalBytes, toHex } from '@x/core'
import { ManualClock } from '@x/core/testing'
import type { MsgReadWriter } from '@x/p2p'
import { afterEach, describe, expect, it } from 'vitest'
import type { ChainReader } from '../src/backend.js'
import { devnet } from '../src/chain.js'
import { EthHandler } from '../src/handler.js'
import { handshake } from '../src/handshake.js'
import {
  decodeBlockAccessLists,
  decodeCells,
  decodeReceipts,
  type EthError,
  type EthVersion,
  encodeGetBlockAccessLists,
  encodeGetCells,
  encodeGetReceipts,
  MsgCode,
  maxMessageSize,
  unavailableAccessList,
} from '../src/index.js'
import { memoryBackend } from '../src/memory-backend.js'
import { serveAccessLists, serveReceipts70 } from '../src/serve.js'
import { fakePeer, rwPair } from './helpers.js'

const closers: (() => void)[] = []
afterEach(() => {
  for (const c of closers.splice(0)) c()
})

const hash = (n: number) => new Uint8Array(32).fill(n)
/** A network-form receipt (eth/69+) whose logs field pads it to about `size` bytes. */
const receipt = (size: number) =>
  encodeList([encodeUint(2), encodeUint(1), encodeUint(21_000), encodeList([new Uint8Array(size)])])

/** A chain of `blocks` receipt lists by hash (hash(i) → lists[i]); nothing else. */
function receiptChain(lists: Uint8Array[][]): ChainReader {
  const byHash = new Map(lists.map((l, i) => [toHex(hash(i)), encodeList(l)]))
  return {
    receiptsByHash: (h: Uint8Array) => byHash.get(toHex(h)),
  } as unknown as ChainReader
}

describe('serveReceipts70 (EIP-7975, go-ethereum serviceGetReceiptsQuery70)', () => {
  it('resumes the first block at firstBlockReceiptIndex', () => {
    const lists = [[receipt(1), receipt(2), receipt(3)], [receipt(4)]]
    const r = serveReceipts70(receiptChain(lists), [hash(0), hash(1)], 2)
    expect(r.lastBlockIncomplete).toBe(false)
    expect(r.receipts).toEqual([encodeList([receipt(3)]), encodeList([receipt(4)])])
  })

  it('stops at the first block it lacks', () => {
    const r = serveReceipts70(receiptChain([[receipt(1)]]), [hash(0), hash(9), hash(0)], 0)
    expect(r.receipts).toHaveLength(1)
  })

  it('cuts the last list short under the 10 MiB message limit and says so', () => {
    // Eleven receipts of about 1 MiB: the eleventh would pass 10 MiB.
    const big = Array.from({ length: 11 }, () => receipt(1024 * 1024))
    const r = serveReceipts70(receiptChain([big]), [hash(0)], 0)
    expect(r.lastBlockIncomplete).toBe(true)
    expect(r.receipts[0]!.length).toBeLessThan(maxMessageSize)
    const rest = serveReceipts70(receiptChain([big]), [hash(0)], 9)
    expect(rest.lastBlockIncomplete).toBe(false)
    expect(rest.receipts).toHaveLength(1)
    expect(equalBytes(rest.receipts[0]!, encodeList(big.slice(9)))).toBe(true)
  })
})

describe('serveAccessLists (EIP-8159, go-ethereum serviceGetBlockAccessListsQuery)', () => {
  it('answers in request order, 0x80 for a list it lacks, repeated hashes each time', () => {
    const bal = encodeList([encodeList([new Uint8Array(20)])])
    const chain = {
      accessListByHash: (h: Uint8Array) => (h[0] === 1 ? bal : undefined),
    } as unknown as ChainReader
    expect(serveAccessLists(chain, [hash(1), hash(2), hash(1)])).toEqual([
      bal,
      unavailableAccessList,
      bal,
    ])
    // A chain without access lists reports every one unavailable.
    expect(serveAccessLists({} as ChainReader, [hash(1)])).toEqual([unavailableAccessList])
  })
})

/** The handler on one end of a pipe at `version`, a remote handshaken on the other. */
async function connect(version: EthVersion, setup: (b: ReturnType<typeof memoryBackend>) => void) {
  const clock = new ManualClock()
  const backend = memoryBackend(devnet, { clock })
  for (let i = 0; i < 3; i++) backend.chain.mine()
  setup(backend)
  const handler = new EthHandler({ backend, chain: devnet, clock })
  const [ours, remote] = rwPair()
  closers.push(() => {
    ours.close()
    remote.close()
  })
  const run = handler.run(version, fakePeer(), ours, new AbortController().signal).catch((e) => e)
  await handshake(
    remote as MsgReadWriter,
    new EthHandler({ backend: memoryBackend(devnet), chain: devnet, clock }).handshakeOptions(
      version,
    ),
  )
  return { backend, remote, run, handler }
}

describe('eth/70–72 served through the Backend', () => {
  it('eth/70 GetReceipts: the reply has the eth/70 shape', async () => {
    const { backend, remote } = await connect(70, () => {})
    const head = backend.chain.head().hash
    await remote.writeMsg(
      MsgCode.GetReceipts,
      encodeGetReceipts({ requestId: 7n, firstBlockReceiptIndex: 0, hashes: [head] }, 70),
    )
    const msg = await remote.readMsg()
    expect(msg.code).toBe(MsgCode.Receipts)
    const r = decodeReceipts(msg.payload, 70)
    expect(r).toMatchObject({ requestId: 7n, lastBlockIncomplete: false })
    expect(r.receipts).toEqual([encodeList([])])
  })

  it('eth/71 GetBlockAccessLists: from chain.accessListByHash, 0x80 where absent', async () => {
    const bal = encodeList([])
    const { backend, remote } = await connect(71, (b) => {
      const chain = b.chain as ChainReader
      chain.accessListByHash = (h) => (h[0] === b.chain.head().hash[0] ? bal : undefined)
    })
    const head = backend.chain.head().hash
    await remote.writeMsg(
      MsgCode.GetBlockAccessLists,
      encodeGetBlockAccessLists({ requestId: 8n, hashes: [head, new Uint8Array(32)] }),
    )
    const msg = await remote.readMsg()
    expect(msg.code).toBe(MsgCode.BlockAccessLists)
    expect(decodeBlockAccessLists(msg.payload)).toEqual({
      requestId: 8n,
      accessLists: [bal, unavailableAccessList],
    })
  })

  it('eth/72 GetCells: from backend.blobPool, unknown transactions skipped', async () => {
    const cell = new Uint8Array(2048).fill(7)
    const mask = new Uint8Array(16)
    mask[0] = 0b11
    const { remote } = await connect(72, (b) => {
      b.blobPool = { cells: (h, m) => (h[0] === 1 && m[0] === 0b11 ? [cell, cell] : undefined) }
    })
    await remote.writeMsg(
      MsgCode.GetCells,
      encodeGetCells({ requestId: 9n, hashes: [hash(2), hash(1)], mask }),
    )
    const msg = await remote.readMsg()
    expect(msg.code).toBe(MsgCode.Cells)
    expect(decodeCells(msg.payload)).toEqual({
      requestId: 9n,
      hashes: [hash(1)],
      cells: [[cell, cell]],
      mask,
    })
  })

  it('eth/71 drops a peer that sends GetCells (an eth/72 message)', async () => {
    const { remote, run, handler } = await connect(71, () => {})
    const mask = new Uint8Array(16)
    await remote.writeMsg(MsgCode.GetCells, encodeGetCells({ requestId: 1n, hashes: [], mask }))
    expect(((await run) as EthError).code).toBe('ERR_INVALID_MSG_CODE')
    expect(handler.peers.len).toBe(0)
  })
})

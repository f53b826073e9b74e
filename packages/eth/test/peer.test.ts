import { encodeList, encodeUint } from '@x/core'
import { ManualClock } from '@x/core/testing'
import { afterEach, describe, expect, it } from 'vitest'
import { devnet } from '../src/chain.js'
import { EthError } from '../src/errors.js'
import { localStatus } from '../src/handshake.js'
import {
  decodeGetBlockHeaders,
  decodeNewPooledTransactionHashes,
  decodeTransactions,
  MsgCode,
  txHash,
} from '../src/index.js'
import { KnownCache } from '../src/known-cache.js'
import { EthPeer, peerDefaults } from '../src/peer.js'
import { devnetHandshake, fakePeer, rwPair } from './helpers.js'

const closers: (() => void)[] = []
afterEach(() => {
  for (const c of closers.splice(0)) c()
})

const hash = (n: number) => {
  const h = new Uint8Array(32)
  new DataView(h.buffer).setUint32(0, n)
  return h
}
const tx = (n: number) => encodeList([encodeUint(n), encodeUint(1)])

function makePeer(version: 68 | 69 = 68, clock = new ManualClock()) {
  const [a, b] = rwPair()
  const p = new EthPeer(fakePeer(), a, version, localStatus(devnetHandshake(version)), {
    clock,
    requestTimeout: 1000,
  })
  closers.push(() => {
    p.close()
    a.close()
    b.close()
  })
  return { peer: p, remote: b, clock }
}

describe('KnownCache', () => {
  it('evicts the oldest entry first', () => {
    const k = new KnownCache(3)
    k.add(hash(1), hash(2), hash(3))
    k.add(hash(2))
    expect(k.size).toBe(3)
    k.add(hash(4))
    expect(k.has(hash(1))).toBe(false)
    expect(k.has(hash(2)) && k.has(hash(3)) && k.has(hash(4))).toBe(true)
  })
})

describe('EthPeer', () => {
  it('bounds its known sets to 32768 transactions and 1024 blocks', () => {
    const { peer } = makePeer()
    for (let i = 0; i < peerDefaults.maxKnownTxs + 10; i++) peer.markTransaction(hash(i))
    for (let i = 0; i < peerDefaults.maxKnownBlocks + 10; i++) peer.markBlock(hash(i))
    expect(peer.knownTxs.size).toBe(32_768)
    expect(peer.knownBlocks.size).toBe(1024)
    expect(peer.knowsTransaction(hash(0))).toBe(false)
    expect(peer.knowsTransaction(hash(32_777))).toBe(true)
    expect(peer.knowsBlock(hash(9))).toBe(false)
    expect(peer.knowsBlock(hash(10))).toBe(true)
  })

  it('takes head and td from an eth/68 status, head and range from eth/69', () => {
    expect(makePeer(68).peer.head).toEqual({ hash: devnet.genesisHash, td: 1n })
    const p69 = makePeer(69).peer
    expect(p69.head).toEqual({ hash: devnet.genesisHash, number: 0 })
    expect(p69.blockRange?.latestBlock).toBe(0)
  })

  it('sends transactions and marks them known', async () => {
    const { peer, remote } = makePeer()
    await peer.sendTransactions([tx(1), tx(2)])
    const msg = await remote.readMsg()
    expect(msg.code).toBe(MsgCode.Transactions)
    expect(decodeTransactions(msg.payload)).toEqual([tx(1), tx(2)])
    expect(peer.knowsTransaction(txHash(tx(1)))).toBe(true)
  })

  it('queues async transactions without blocking and drops the oldest when full', async () => {
    const { peer, remote } = makePeer()
    // The first batch starts draining at once; the rest queue behind it.
    const many = Array.from({ length: peerDefaults.maxQueuedTxs + 300 }, (_, i) => tx(i))
    peer.asyncSendTransactions(many.slice(0, 1))
    peer.asyncSendTransactions(many.slice(1))
    expect(peer.dropped).toBe(299)
    const got: Uint8Array[] = []
    while (got.length < peerDefaults.maxQueuedTxs + 1) {
      const msg = await remote.readMsg()
      got.push(...decodeTransactions(msg.payload))
    }
    expect(got[0]).toEqual(tx(0))
    expect(got[1]).toEqual(tx(300))
    expect(got.at(-1)).toEqual(tx(many.length - 1))
  })

  it('announces pooled transactions in the eth/68 form', async () => {
    const { peer, remote } = makePeer()
    const typed = Uint8Array.of(0x84, 0x02, 0xc2, 0x01, 0x02)
    peer.asyncSendPooledTransactionHashes([tx(1), typed])
    const msg = await remote.readMsg()
    expect(msg.code).toBe(MsgCode.NewPooledTransactionHashes)
    const ann = decodeNewPooledTransactionHashes(msg.payload)
    expect([...ann.types]).toEqual([0, 2])
    // Sizes as go-ethereum's Transaction.Size: a typed one is its envelope, without the RLP
    // string header it has inside a message.
    expect(ann.sizes).toEqual([tx(1).length, typed.length - 1])
    expect(ann.hashes).toEqual([txHash(tx(1)), txHash(typed)])
  })

  it('sends no NewBlock or NewBlockHashes on eth/69', async () => {
    const { peer } = makePeer(69)
    await peer.sendNewBlockHashes([{ hash: hash(1), number: 1 }])
    expect(peer.knowsBlock(hash(1))).toBe(false)
  })

  it('matches responses to requests by id', async () => {
    const { peer, remote } = makePeer()
    const p = peer.requestHeaders({ origin: 5, amount: 2, skip: 0, reverse: false })
    const msg = await remote.readMsg()
    expect(msg.code).toBe(MsgCode.GetBlockHeaders)
    const req = decodeGetBlockHeaders(msg.payload)
    expect(req.origin).toBe(5)
    expect(peer.deliver(MsgCode.BlockBodies, req.requestId, [])).toBe(false)
    expect(peer.deliver(MsgCode.BlockHeaders, req.requestId + 1n, [])).toBe(false)
    expect(peer.deliver(MsgCode.BlockHeaders, req.requestId, [tx(1)])).toBe(true)
    await expect(p).resolves.toEqual([tx(1)])
    expect(peer.pendingRequests).toBe(0)
  })

  it('times requests out on its clock', async () => {
    const { peer, clock } = makePeer()
    const p = peer.requestBodies([hash(1)])
    const err = p.catch((e: unknown) => e)
    await clock.advance(1000)
    expect(await err).toBeInstanceOf(EthError)
    expect(((await err) as EthError).code).toBe('ERR_REQUEST_TIMEOUT')
    expect(clock.pending).toBe(0)
  })

  it('fails pending requests on close', async () => {
    const { peer, clock } = makePeer()
    const p = peer.requestReceipts([hash(1)]).catch((e: unknown) => e)
    peer.close()
    expect(((await p) as EthError).code).toBe('ERR_REQUEST_TIMEOUT')
    expect(clock.pending).toBe(0)
  })
})

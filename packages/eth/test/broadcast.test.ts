import { encodeBytes, encodeList, encodeUint } from '@x/core'
import { seededRandom } from '@x/discover/testing'
import type { MsgReadWriter } from '@x/p2p'
import { describe, expect, it } from 'vitest'
import { blobTxType, txMaxBroadcastSize } from '../src/blob-tx.js'
import { broadcastBlock, broadcastTransactions, shuffle } from '../src/broadcast.js'
import { devnet } from '../src/chain.js'
import { localStatus } from '../src/handshake.js'
import { headerHash } from '../src/header.js'
import { MemoryChain } from '../src/memory-backend.js'
import { decodeNewPooledTransactionHashes } from '../src/messages/announce.js'
import { MsgCode } from '../src/messages/codes.js'
import { decodeBlockRangeUpdate } from '../src/messages/status.js'
import { decodeTransactions, txHash } from '../src/messages/transactions.js'
import { EthPeer } from '../src/peer.js'
import { PeerSet } from '../src/peer-set.js'
import { devnetHandshake, fakePeer } from './helpers.js'

interface Sent {
  code: number
  payload: Uint8Array
}

/** A writer that records what the peer was sent. */
function recorder(): MsgReadWriter & { sent: Sent[] } {
  const sent: Sent[] = []
  return {
    sent,
    writeMsg(code, payload) {
      sent.push({ code, payload })
      return Promise.resolve()
    },
    readMsg: () => new Promise(() => {}),
  }
}

function peerSet(n: number, version: 68 | 69 = 68) {
  const set = new PeerSet()
  const rws: ReturnType<typeof recorder>[] = []
  for (let i = 0; i < n; i++) {
    const rw = recorder()
    set.register(new EthPeer(fakePeer(), rw, version, localStatus(devnetHandshake(version))))
    rws.push(rw)
  }
  return { set, peers: set.all(), rws }
}

const tx = (n: number) => encodeList([encodeUint(n), encodeUint(21_000)])
const codes = (rw: { sent: Sent[] }) => rw.sent.map((s) => s.code)

describe('broadcastTransactions', () => {
  it('sends in full to √n of the peers lacking it, announces to the rest, skips the rest', () => {
    const { set, peers, rws } = peerSet(10)
    const t = tx(1)
    peers[0]?.markTransaction(txHash(t)) // it sent or announced it to us
    broadcastTransactions(set, [t], seededRandom(1))
    expect(codes(rws[0] as ReturnType<typeof recorder>)).toEqual([])
    const full = rws.filter((rw) => codes(rw).includes(MsgCode.Transactions))
    const announced = rws.filter((rw) => codes(rw).includes(MsgCode.NewPooledTransactionHashes))
    expect(full).toHaveLength(3) // ⌊√9⌋
    expect(announced).toHaveLength(6)
    for (const rw of full)
      expect(decodeTransactions(rw.sent[0]?.payload as Uint8Array)).toEqual([t])
    for (const rw of announced) {
      const ann = decodeNewPooledTransactionHashes(rw.sent[0]?.payload as Uint8Array)
      expect(ann.hashes).toEqual([txHash(t)])
      expect(ann.sizes).toEqual([t.length])
    }
    // Every peer now counts as knowing it: broadcasting again sends nothing.
    for (const p of peers) expect(p.knowsTransaction(txHash(t))).toBe(true)
    broadcastTransactions(set, [t], seededRandom(2))
    expect(rws.reduce((a, rw) => a + rw.sent.length, 0)).toBe(9)
  })

  it(`only announces a transaction over txMaxBroadcastSize (${txMaxBroadcastSize} bytes), as go-ethereum`, () => {
    const { set, rws } = peerSet(4)
    const large = encodeList([encodeUint(7), new Uint8Array(txMaxBroadcastSize)])
    const small = tx(7)
    broadcastTransactions(set, [large, small], seededRandom(3))
    for (const rw of rws) {
      const ann = rw.sent.find((s) => s.code === MsgCode.NewPooledTransactionHashes)
      expect(ann && decodeNewPooledTransactionHashes(ann.payload).hashes).toContainEqual(
        txHash(large),
      )
      for (const s of rw.sent.filter((m) => m.code === MsgCode.Transactions)) {
        expect(decodeTransactions(s.payload)).toEqual([small])
      }
    }
    // The small one still goes in full to ⌊√4⌋ peers.
    expect(rws.filter((rw) => codes(rw).includes(MsgCode.Transactions))).toHaveLength(2)
  })

  it('only announces blob transactions and any over 4 KiB (go-ethereum txMaxBroadcastSize)', async () => {
    const { set, rws } = peerSet(9)
    const large = encodeList([encodeBytes(new Uint8Array(txMaxBroadcastSize))])
    const blob = encodeBytes(Uint8Array.of(blobTxType, 0xc1, 0x01))
    broadcastTransactions(set, [large, blob], seededRandom(1))
    await Promise.resolve()
    for (const rw of rws) expect(codes(rw)).toEqual([MsgCode.NewPooledTransactionHashes])
    const ann = decodeNewPooledTransactionHashes(rws[0]?.sent[0]?.payload as Uint8Array)
    expect([...ann.types]).toEqual([0, 3])
    expect(ann.sizes).toEqual([large.length, 3])
  })

  it('picks the full recipients at random, not by registration order', () => {
    const hits = new Array<number>(9).fill(0)
    for (let seed = 1; seed <= 60; seed++) {
      const { set, rws } = peerSet(9)
      broadcastTransactions(set, [tx(seed)], seededRandom(seed))
      rws.forEach((rw, i) => {
        if (codes(rw).includes(MsgCode.Transactions)) hits[i] = (hits[i] ?? 0) + 1
      })
    }
    // 60 rounds × 3 full copies spread over 9 peers: each gets some, none gets them all.
    for (const h of hits) {
      expect(h).toBeGreaterThan(0)
      expect(h).toBeLessThan(60)
    }
  })
})

describe('broadcastBlock', () => {
  const chain = new MemoryChain(devnet)
  const block = chain.mine()
  const hash = headerHash(chain.headerByNumber(1) as Uint8Array)

  it('sends eth/68 peers the block in full to √n and the hash to the rest', () => {
    const { set, peers, rws } = peerSet(5)
    broadcastBlock(set, block, 2n, 0, seededRandom(3))
    expect(rws.filter((rw) => codes(rw).includes(MsgCode.NewBlock))).toHaveLength(2)
    expect(rws.filter((rw) => codes(rw).includes(MsgCode.NewBlockHashes))).toHaveLength(3)
    for (const p of peers) expect(p.knowsBlock(hash)).toBe(true)
  })

  it('sends eth/69 peers a BlockRangeUpdate instead', () => {
    const { set, rws } = peerSet(3, 69)
    broadcastBlock(set, block, 2n, 0, seededRandom(4))
    for (const rw of rws) {
      expect(codes(rw)).toEqual([MsgCode.BlockRangeUpdate])
      expect(decodeBlockRangeUpdate(rw.sent[0]?.payload as Uint8Array)).toEqual({
        earliestBlock: 0,
        latestBlock: 1,
        latestHash: hash,
      })
    }
  })
})

describe('shuffle', () => {
  it('permutes in place', () => {
    const list = [1, 2, 3, 4, 5, 6, 7, 8]
    expect(shuffle(list, seededRandom(5))).toBe(list)
    expect([...list].sort()).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
    expect(shuffle([], seededRandom(5))).toEqual([])
  })
})

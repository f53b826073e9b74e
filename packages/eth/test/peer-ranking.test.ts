import { encodeBytes, encodeList, encodeUint, noopLogger } from '@x/core'
import { ManualClock } from '@x/core/testing'
import type { Msg, MsgReadWriter } from '@x/p2p'
import { afterEach, describe, expect, it } from 'vitest'
import { BlockFetcher } from '../src/block-fetcher.js'
import { devnet } from '../src/chain.js'
import { EthHandler } from '../src/handler.js'
import { handshake, localStatus } from '../src/handshake.js'
import {
  type ComparePeers,
  decodeGetPooledTransactions,
  encodeNewPooledTransactionHashes,
  MsgCode,
  txHash,
} from '../src/index.js'
import { MemoryChain, memoryBackend } from '../src/memory-backend.js'
import { decodeGetBlockBodies } from '../src/messages/bodies.js'
import { decodeGetBlockHeaders } from '../src/messages/headers.js'
import { EthPeer } from '../src/peer.js'
import { PeerSet } from '../src/peer-set.js'
import { serveByHash, serveHeaders } from '../src/serve.js'
import { txArriveTimeout } from '../src/tx-fetcher.js'
import { devnetHandshake, fakePeer, rwPair } from './helpers.js'

/*
 * Which peer the fetchers ask, through the injected ranking: a comparator over node ids, here
 * from a table of round-trip times standing in for @x/health's `HealthTracker.compare` (what
 * node-app passes). Lower RTT first; raising a peer's RTT is its degrading.
 */

const closers: (() => void)[] = []
afterEach(() => {
  for (const c of closers.splice(0)) c()
})

function rttRanking(): { rtt: Map<string, number>; compare: ComparePeers } {
  const rtt = new Map<string, number>()
  const of = (id: string) => rtt.get(id) ?? Number.POSITIVE_INFINITY
  return { rtt, compare: (a, b) => of(a) - of(b) }
}

const tx = (n: number) => encodeList([encodeUint(n), encodeBytes(new Uint8Array(20))])
const announce = (t: Uint8Array) =>
  encodeNewPooledTransactionHashes(
    { types: Uint8Array.of(0), sizes: [t.length], hashes: [txHash(t)] },
    69,
  )

/** Every message a remote end receives, in order, read in the background. */
function recorder(rw: MsgReadWriter): Msg[] {
  const got: Msg[] = []
  void (async () => {
    for (;;) got.push(await rw.readMsg())
  })().catch(() => {})
  return got
}

async function twoPeers() {
  const clock = new ManualClock()
  const { rtt, compare } = rttRanking()
  const handler = new EthHandler({
    backend: memoryBackend(devnet, { clock }),
    chain: devnet,
    clock,
    comparePeers: compare,
  })
  const remotes = []
  for (let i = 0; i < 2; i++) {
    const [ours, remote] = rwPair()
    closers.push(() => {
      ours.close()
      remote.close()
    })
    const peer = fakePeer()
    void handler.run(69, peer, ours, new AbortController().signal).catch(() => {})
    await handshake(remote, handler.handshakeOptions(69))
    remotes.push({ id: peer.idHex, remote, got: recorder(remote) })
  }
  for (let i = 0; i < 20 && handler.peers.len < 2; i++) await Promise.resolve()
  closers.push(() => handler.close())
  return { clock, rtt, handler, slow: remotes[0]!, fast: remotes[1]! }
}

/** The hashes each remote was asked for in GetPooledTransactions so far. */
const asked = (got: Msg[]) =>
  got
    .filter((m) => m.code === MsgCode.GetPooledTransactions)
    .flatMap((m) => decodeGetPooledTransactions(m.payload).hashes)

describe('the transaction fetcher asks the best ranked announcer', () => {
  it('the faster of two announcers gets the request, and the next once it degrades', async () => {
    const { clock, rtt, handler, slow, fast } = await twoPeers()
    expect(handler.peers.len).toBe(2)
    rtt.set(slow.id, 200)
    rtt.set(fast.id, 20)
    // The slow peer announces first: without a ranking it would be asked.
    const first = tx(1)
    await slow.remote.writeMsg(MsgCode.NewPooledTransactionHashes, announce(first))
    await fast.remote.writeMsg(MsgCode.NewPooledTransactionHashes, announce(first))
    await clock.advance(txArriveTimeout)
    for (let i = 0; i < 50 && asked(fast.got).length === 0; i++) await Promise.resolve()
    expect(asked(fast.got)).toEqual([txHash(first)])
    expect(asked(slow.got)).toEqual([])

    // The fast peer degrades (its RTT now above the other's): the next request moves.
    rtt.set(fast.id, 900)
    const second = tx(2)
    await fast.remote.writeMsg(MsgCode.NewPooledTransactionHashes, announce(second))
    await slow.remote.writeMsg(MsgCode.NewPooledTransactionHashes, announce(second))
    await clock.advance(txArriveTimeout)
    for (let i = 0; i < 50 && asked(slow.got).length === 0; i++) await Promise.resolve()
    expect(asked(slow.got)).toEqual([txHash(second)])
    expect(asked(fast.got)).toEqual([txHash(first)])
  })
})

/** An eth/69 peer at `source`'s head that serves it, counting the header requests it gets. */
function servingPeer(source: MemoryChain, onHeaders: () => void = () => {}): EthPeer {
  const rw: MsgReadWriter = {
    writeMsg(code, payload) {
      setImmediate(() => {
        if (code === MsgCode.GetBlockHeaders) {
          onHeaders()
          const q = decodeGetBlockHeaders(payload)
          peer.deliver(MsgCode.BlockHeaders, q.requestId, serveHeaders(source, q))
        } else if (code === MsgCode.GetBlockBodies) {
          const q = decodeGetBlockBodies(payload)
          peer.deliver(
            MsgCode.BlockBodies,
            q.requestId,
            serveByHash(q.hashes, (h) => source.bodyByHash(h)),
          )
        }
      })
      return Promise.resolve()
    },
    readMsg: () => new Promise(() => {}),
  }
  const peer = new EthPeer(fakePeer(), rw, 69, localStatus(devnetHandshake(69)))
  peer.setHead({ hash: source.head().hash, number: source.head().number })
  return peer
}

describe('the block fetcher asks the best ranked peer that has the blocks', () => {
  it('catch-up batches go to the faster peer, and move to the other when it degrades', async () => {
    const source = new MemoryChain(devnet, { clock: new ManualClock(), blockTime: 12 })
    for (let i = 0; i < 64 * 4; i++) source.mine()
    const { rtt, compare } = rttRanking()
    const set = new PeerSet(Number.POSITIVE_INFINITY, compare)
    const served = { slow: 0, fast: 0 }
    const slow = servingPeer(source, () => served.slow++)
    const fast = servingPeer(source, () => {
      // After serving two batches the fast peer degrades.
      if (++served.fast === 2) rtt.set(fast.id, 900)
    })
    set.register(slow)
    set.register(fast)
    rtt.set(slow.id, 200)
    rtt.set(fast.id, 20)
    const local = new MemoryChain(devnet)
    const fetcher = new BlockFetcher(local, noopLogger, true, () => set.ranked())
    // The slow peer is the one that announced the head.
    fetcher.follow(slow, source.head().number)
    for (let i = 0; i < 2000 && local.head().number < source.head().number; i++) {
      await new Promise((r) => setImmediate(r))
    }
    expect(local.head().hash).toEqual(source.head().hash)
    expect(served).toEqual({ fast: 2, slow: 2 })
    fetcher.close()
  })

  it('bestPeer breaks a tie of heads by the ranking, and keeps the head order first', () => {
    const source = new MemoryChain(devnet, { clock: new ManualClock(), blockTime: 12 })
    for (let i = 0; i < 3; i++) source.mine()
    const { rtt, compare } = rttRanking()
    const set = new PeerSet(Number.POSITIVE_INFINITY, compare)
    const a = servingPeer(source)
    const b = servingPeer(source)
    set.register(a)
    set.register(b)
    rtt.set(a.id, 50)
    rtt.set(b.id, 10)
    expect(set.bestPeer()).toBe(b)
    expect(set.ranked().map((p) => p.id)).toEqual([b.id, a.id])
    rtt.set(b.id, 90)
    expect(set.bestPeer()).toBe(a)
    // A longer chain wins whatever the ranking.
    b.setHead({ hash: source.head().hash, number: 4 })
    expect(set.bestPeer()).toBe(b)
    // Without a ranking: registration order.
    const plain = new PeerSet()
    plain.register(b)
    plain.register(a)
    expect(plain.ranked()).toEqual([b, a])
  })
})

import { noopLogger } from '@x/core'
import { ManualClock } from '@x/core/testing'
import type { MsgReadWriter } from '@x/p2p'
import { describe, expect, it } from 'vitest'
import { BlockFetcher } from '../src/block-fetcher.js'
import { devnet } from '../src/chain.js'
import { localStatus } from '../src/handshake.js'
import { MemoryChain } from '../src/memory-backend.js'
import { decodeGetBlockBodies } from '../src/messages/bodies.js'
import { MsgCode } from '../src/messages/codes.js'
import { decodeGetBlockHeaders } from '../src/messages/headers.js'
import { EthPeer } from '../src/peer.js'
import { serveByHash, serveHeaders } from '../src/serve.js'
import { devnetHandshake, fakePeer } from './helpers.js'

/** An eth/69 peer that answers our header and body requests from `source`, a turn later. */
function servingPeer(source: MemoryChain): EthPeer {
  const rw: MsgReadWriter = {
    writeMsg(code, payload) {
      setImmediate(() => {
        if (code === MsgCode.GetBlockHeaders) {
          const q = decodeGetBlockHeaders(payload)
          peer.deliver(MsgCode.BlockHeaders, q.requestId, serveHeaders(source, q))
        } else if (code === MsgCode.GetBlockBodies) {
          const q = decodeGetBlockBodies(payload)
          const bodies = serveByHash(q.hashes, (h) => source.bodyByHash(h))
          peer.deliver(MsgCode.BlockBodies, q.requestId, bodies)
        }
      })
      return Promise.resolve()
    },
    readMsg: () => new Promise(() => {}),
  }
  const peer = new EthPeer(fakePeer(), rw, 69, localStatus(devnetHandshake(69)))
  return peer
}

/** Lets the fetcher and the peer's answers run until `done` or a bound of turns. */
async function settle(done: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !done(); i++) await new Promise((r) => setImmediate(r))
}

describe('BlockFetcher', () => {
  it('catches up with a peer ahead, in batches, to its head', async () => {
    const source = new MemoryChain(devnet, { clock: new ManualClock(), blockTime: 12 })
    for (let i = 0; i < 150; i++) source.mine()
    const local = new MemoryChain(devnet)
    const fetcher = new BlockFetcher(local, noopLogger, true)
    fetcher.follow(servingPeer(source), 150)
    await settle(() => local.head().number === 150)
    expect(local.head().hash).toEqual(source.head().hash)
  })

  it('goes on to a head announced while it was catching up (an eth/69 BlockRangeUpdate)', async () => {
    const source = new MemoryChain(devnet, { clock: new ManualClock(), blockTime: 12 })
    for (let i = 0; i < 100; i++) source.mine()
    const local = new MemoryChain(devnet)
    const fetcher = new BlockFetcher(local, noopLogger, true)
    const peer = servingPeer(source)
    fetcher.follow(peer, 10)
    // geth sends the next BlockRangeUpdate only 32 blocks later: dropping this one would leave
    // us 90 blocks behind until then.
    fetcher.follow(peer, 100)
    await settle(() => local.head().number === 100)
    expect(local.head().number).toBe(100)
    expect(local.head().hash).toEqual(source.head().hash)
  })

  it('does not follow when following is off', async () => {
    const source = new MemoryChain(devnet, { clock: new ManualClock(), blockTime: 12 })
    source.mine()
    const local = new MemoryChain(devnet)
    new BlockFetcher(local, noopLogger, false).follow(servingPeer(source), 1)
    await settle(() => false)
    expect(local.head().number).toBe(0)
  })
})

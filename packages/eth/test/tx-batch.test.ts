import { encodeList, encodeUint } from '@x/core'
import { ManualClock } from '@x/core/testing'
import { describe, expect, it } from 'vitest'
import { devnet } from '../src/chain.js'
import { memoryBackend } from '../src/memory-backend.js'
import type { EthPeer } from '../src/peer.js'
import { TxBroadcastBatch } from '../src/tx-batch.js'

describe('TxBroadcastBatch', () => {
  it('propagates the newest 4096 received transactions together on the next tick', async () => {
    const clock = new ManualClock()
    const backend = memoryBackend(devnet, { clock, maxPoolTxs: 10_000 })
    const batches: Uint8Array[][] = []
    const batch = new TxBroadcastBatch(clock, backend, (txs) => batches.push(txs))
    const peer = { markTransaction() {} } as unknown as EthPeer
    const txs = Array.from({ length: 5000 }, (_, i) => encodeList([encodeUint(i + 1)]))
    batch.receive(peer, txs.slice(0, 3000))
    batch.receive(peer, txs.slice(3000))
    expect(batches).toEqual([])
    await clock.advance(0)
    expect(batches).toEqual([txs.slice(5000 - 4096)])
    batch.close()
    expect(clock.pending).toBe(0)
  })
})

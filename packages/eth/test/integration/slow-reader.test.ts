import { describe, expect, it } from 'vitest'
import { compressibleFlood, slowReader } from '../../bench/slow-reader/attack.js'
import { peerDefaults } from '../../src/index.js'

/*
 * Memory held for one hostile peer stays bounded. The victim (our eth node, eth/68 on mainnet at
 * genesis) runs in a child process so its memory is its own; the attacker here dials it over
 * RLPx on 127.0.0.1 and runs the hello and Status with our public API. Memory is what the
 * victim retains after two full GCs (heap used + external: ArrayBuffers and socket buffers)
 * above what it used once the peer was connected, measured while the peer is connected (the
 * floods: halfway through and after them); peak RSS, garbage included, is printed, not
 * asserted (GC timing).
 *
 * The bound: what a peer may hold by design — its transaction send queue (4096 transactions of
 * ~1 KiB here), its known-transaction set (32 768 hashes, a hex key and a Map entry each), one
 * packet in flight and the socket's buffer past its high-water mark, and our receive queue of
 * compressed frames: about 6 MiB measured, stated as 16 MiB. An implementation that buffers what
 * a slow reader does not take holds what it was given beyond what the kernel's socket buffers
 * and the attacker's receive queue absorb (12 to 68 MiB in our runs on loopback, tcp_rmem up to
 * 32 MiB), so 96 MiB are streamed: @ethereumjs/devp2p held 49 to 85 MiB of them in our runs
 * (`pnpm bench slow-reader`). A pool that took 1 MiB transactions would hold one per message
 * (go-ethereum's pools refuse them over 128 KiB).
 */

const MiB = 2 ** 20
const bound = 16 * MiB
const print = (what: string, r: { bytes: number; heldGrowth: number; peakRssGrowth: number }) =>
  console.log(
    `${what}: ${(r.bytes / MiB).toFixed(0)} MiB; held +${(r.heldGrowth / MiB).toFixed(1)} MiB, peak RSS +${(r.peakRssGrowth / MiB).toFixed(1)} MiB`,
  )

describe('memory held for a hostile peer', () => {
  it('a peer that stops reading while we stream 96 MiB of transactions to it', async () => {
    expect(peerDefaults.maxQueuedTxs).toBe(4096)
    const r = await slowReader('ours', 96)
    print('slow reader', r)
    expect(r.bytes).toBe(96 * MiB)
    // Measured while the peer is still connected (the memory is held for it, not released).
    expect(r.after.peers).toBe(1)
    expect(r.heldGrowth).toBeLessThan(bound)
  }, 300_000)

  it('a peer that sends 1 MiB compressible messages as fast as it can', async () => {
    const r = await compressibleFlood('ours', 32)
    print('compressible flood (GetBlockBodies)', r)
    expect(r.bytes).toBeGreaterThan(32 * MiB)
    expect(r.after.peers).toBe(1)
    expect(r.heldGrowth).toBeLessThan(bound)
  }, 300_000)

  it('a peer that floods 1 MiB compressible transactions (the pool refuses them, as go-ethereum)', async () => {
    const r = await compressibleFlood('ours', 24, 'transactions')
    print('compressible flood (Transactions)', r)
    expect(r.bytes).toBeGreaterThan(23 * MiB)
    expect(r.after.peers).toBe(1)
    // Over go-ethereum's 128 KiB limit: none is pooled (a pool that took them held 1 MiB each).
    expect(r.after.poolTxs).toBe(0)
    expect(r.heldGrowth).toBeLessThan(bound)
  }, 300_000)
})

import { ManualClock } from '@x/core/testing'
import { type DisconnectError, DisconnectReason } from '@x/p2p'
import { MemoryNetwork } from '@x/p2p/testing'
import { afterEach, describe, expect, it } from 'vitest'
import {
  type ChainConfig,
  devnet,
  type EthError,
  EthHandler,
  forkIdAt,
  type MemoryBackend,
  memoryBackend,
} from '../../src/index.js'
import { memoryServer, untilClock } from '../helpers.js'

/*
 * go-ethereum's TestForkIDSplit (eth/handler_eth_test.go), as our own scenario: two nodes share a
 * genesis, one ("pro-fork") schedules forks the other ("no-fork") does not. Before the pro-fork
 * chain passes its own fork the fork ids are compatible (EIP-2124: a remote may announce a fork
 * we do not know, while neither side passed it), so they connect; once it passes the fork, each
 * side's filter rejects the other (no-fork: an unknown checksum, ERR_LOCAL_INCOMPATIBLE_OR_STALE;
 * pro-fork: a remote that stayed behind a fork it should know, ERR_REMOTE_STALE) and the peer
 * ends with go-ethereum's reason for `errForkIDRejected`, a subprotocol error (0x10).
 */

const stops: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s()
})

interface Outcome {
  /** Both sides registered the other as an eth peer. */
  connected: boolean
  /** Every disconnect reason either server reported for the other (sent or received). */
  reasons: DisconnectReason[]
  /** The fork id rejections of the failed handshakes, by side. */
  rejections: string[]
}

/** Connects a node on each backend (fresh servers and handlers) and reports what happened. */
async function connect(
  noFork: { chain: ChainConfig; backend: MemoryBackend },
  proFork: { chain: ChainConfig; backend: MemoryBackend },
): Promise<Outcome> {
  const clock = new ManualClock()
  const net = new MemoryNetwork({ now: () => clock.now() })
  const out: Outcome = { connected: false, reasons: [], rejections: [] }
  const start = async (
    side: typeof noFork,
    ip: string,
    dial: Parameters<typeof memoryServer>[4] = [],
  ) => {
    const eth = new EthHandler({ ...side, versions: [69], clock })
    eth.addEventListener('handshake:failed', (e) => {
      const cause = (e.detail.error as DisconnectError).cause as EthError
      out.rejections.push(((cause.cause as EthError | undefined) ?? cause).code)
    })
    const s = memoryServer(net, ip, clock, eth.protocols, dial)
    s.server.addEventListener('peer:removed', (e) => out.reasons.push(e.detail.reason))
    await s.server.start()
    stops.push(async () => {
      eth.close()
      await s.server.stop()
    })
    return { ...s, eth }
  }
  const a = await start(noFork, '10.0.0.1')
  const b = await start(proFork, '10.0.0.2', [a.node])
  await untilClock(
    clock,
    () => (a.eth.peers.len === 1 && b.eth.peers.len === 1) || out.reasons.length >= 2,
    'eth peers or a disconnect',
  )
  out.connected = a.eth.peers.len === 1 && b.eth.peers.len === 1
  // What happened before we stop the servers (stopping ends a peer with ClientQuitting).
  const result = { ...out, reasons: [...out.reasons], rejections: [...out.rejections] }
  for (const s of stops.splice(0).reverse()) await s()
  return result
}

const rejected = ['ERR_LOCAL_INCOMPATIBLE_OR_STALE', 'ERR_REMOTE_STALE']

describe('peers on either side of a fork split once it passes (TestForkIDSplit)', () => {
  it('block forks: Homestead at 1 on both; EIP-150/155/158 at 2 and Byzantium at 3 on one', async () => {
    const noForkChain: ChainConfig = { ...devnet, name: 'nofork', forkBlocks: [1] }
    const proForkChain: ChainConfig = { ...devnet, name: 'profork', forkBlocks: [1, 2, 2, 2, 3] }
    const noFork = { chain: noForkChain, backend: memoryBackend(noForkChain) }
    const proFork = { chain: proForkChain, backend: memoryBackend(proForkChain) }

    // Frontier: the same checksum, both next at Homestead.
    expect(forkIdAt(noForkChain, 0, 0)).toEqual(forkIdAt(proForkChain, 0, 0))
    expect(await connect(noFork, proFork)).toEqual({ connected: true, reasons: [], rejections: [] })

    // Homestead: the checksums match; the pro-fork side announces a next fork the other lacks.
    noFork.backend.chain.mine()
    proFork.backend.chain.mine()
    expect(forkIdAt(proForkChain, 1, 0).next).toBe(2n)
    expect(await connect(noFork, proFork)).toMatchObject({ connected: true, reasons: [] })

    // Spurious Dragon on one side only: the fork ids mismatch, the peers are rejected.
    noFork.backend.chain.mine()
    proFork.backend.chain.mine()
    const split = await connect(noFork, proFork)
    expect(split.connected).toBe(false)
    expect(split.reasons.length).toBeGreaterThan(0)
    expect(new Set(split.reasons)).toEqual(new Set([DisconnectReason.SubprotocolError]))
    expect(split.rejections.length).toBeGreaterThan(0)
    for (const r of split.rejections) expect(rejected).toContain(r)
  })

  it('time forks: one side schedules a fork two blocks after genesis; they split once it passes', async () => {
    const t = devnet.genesisTime + 24
    const noForkChain: ChainConfig = { ...devnet, name: 'nofork', forkTimes: [] }
    const proForkChain: ChainConfig = { ...devnet, name: 'profork', forkTimes: [t] }
    const clock = new ManualClock()
    const backend = (chain: ChainConfig) => memoryBackend(chain, { clock, blockTime: 12 })
    const noFork = { chain: noForkChain, backend: backend(noForkChain) }
    const proFork = { chain: proForkChain, backend: backend(proForkChain) }

    expect(await connect(noFork, proFork)).toMatchObject({ connected: true, reasons: [] })
    // Only the pro-fork chain moves, to one block before its fork: still compatible.
    proFork.backend.chain.mine()
    expect(await connect(noFork, proFork)).toMatchObject({ connected: true, reasons: [] })
    // It passes the fork (block 2 at genesis + 24 s); the other side is still at genesis.
    proFork.backend.chain.mine()
    expect(proFork.backend.chain.head().time).toBe(t)
    const split = await connect(noFork, proFork)
    expect(split.connected).toBe(false)
    expect(new Set(split.reasons)).toEqual(new Set([DisconnectReason.SubprotocolError]))
    expect(split.rejections.length).toBeGreaterThan(0)
    for (const r of split.rejections) expect(rejected).toContain(r)
  })
})

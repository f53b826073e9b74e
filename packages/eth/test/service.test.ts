import { started } from '@x/core'
import { ManualClock } from '@x/core/testing'
import type { Node } from '@x/discover'
import { DisconnectError } from '@x/p2p'
import { MemoryNetwork } from '@x/p2p/testing'
import { afterEach, describe, expect, it } from 'vitest'
import { defineDevnet, devnet, mainnet } from '../src/chain.js'
import { EthError } from '../src/errors.js'
import { forkIdAt } from '../src/forkid.js'
import type { EthEvents } from '../src/handler.js'
import { memoryBackend } from '../src/memory-backend.js'
import {
  devnetBlockInterval,
  type EthNetwork,
  EthService,
  type EthServiceOptions,
} from '../src/service.js'
import { memoryServer, untilClock } from './helpers.js'

const stops: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s()
})

describe('EthService', () => {
  it('runs mainnet by default: network id 1, no block making, eth/72 to eth/69', async () => {
    const clock = new ManualClock()
    const eth = await started(new EthService({ clock }))
    stops.push(() => eth.stop())
    expect(eth.chain).toBe(mainnet)
    expect(eth.networkId).toBe(1n)
    expect(eth.protocols.map((p) => p.version)).toEqual([72, 71, 70, 69])
    expect(eth.handler.handshakeOptions(68).forkId).toEqual(forkIdAt(mainnet, 0, 0))
    await clock.advance(devnetBlockInterval * 3)
    expect(eth.backend.chain.head().number).toBe(0)
  })

  it('makes devnet blocks on an interval until stopped', async () => {
    const clock = new ManualClock()
    const eth = await started(new EthService({ network: 'devnet', clock }))
    expect(eth.networkId).toBe(devnet.networkId)
    await clock.advance(devnetBlockInterval * 2)
    expect(eth.backend.chain.head().number).toBe(2)
    await eth.stop()
    await eth.stop()
    await clock.advance(devnetBlockInterval * 2)
    expect(eth.backend.chain.head().number).toBe(2)
    expect(clock.pending).toBe(0)
  })

  it('takes a network id override, a custom chain, a block interval and a backend', async () => {
    const clock = new ManualClock()
    const custom = defineDevnet({ networkId: 31_337, extra: 'mine' })
    const eth = await started(
      new EthService({ network: custom, networkId: 99, blockInterval: 1000, clock }),
    )
    stops.push(() => eth.stop())
    expect(eth.networkId).toBe(99n)
    expect(eth.handler.handshakeOptions(69).networkId).toBe(99n)
    expect(eth.handler.handshakeOptions(69).genesis).toEqual(custom.genesisHash)
    await clock.advance(3000)
    expect(eth.backend.chain.head().number).toBe(3)

    const backend = memoryBackend(devnet, { clock })
    const theirs = await started(new EthService({ network: 'devnet', backend, clock }))
    stops.push(() => theirs.stop())
    expect(theirs.backend).toBe(backend)
    await clock.advance(devnetBlockInterval * 2)
    expect(backend.chain.head().number).toBe(0) // your backend makes its own blocks
  })

  it('refuses an unknown network name', () => {
    const bad = { network: 'nope' as EthNetwork } satisfies EthServiceOptions
    expect(() => new EthService(bad)).toThrow(EthError)
  })
})

describe('EthService lifecycle', () => {
  it('starts nothing on construction: no timer, no block, until start()', async () => {
    const clock = new ManualClock()
    const eth = new EthService({ network: 'devnet', clock })
    stops.push(() => eth.stop())
    expect(eth.isStarted).toBe(false)
    expect(clock.pending).toBe(0)
    await clock.advance(devnetBlockInterval * 2)
    expect(eth.backend.chain.head().number).toBe(0)
    await eth.start()
    await eth.start() // idempotent: one block per interval, not two
    expect(eth.isStarted).toBe(true)
    await clock.advance(devnetBlockInterval * 2)
    expect(eth.backend.chain.head().number).toBe(2)
  })

  it('stop() is idempotent, clears every timer and disconnects; start() after stop() is a no-op', async () => {
    const clock = new ManualClock()
    const eth = new EthService({ network: 'devnet', clock })
    await eth.start()
    await clock.advance(devnetBlockInterval)
    await eth.stop()
    await eth.stop()
    expect(eth.isStarted).toBe(false)
    expect(eth.peers.closed).toBe(true)
    expect(clock.pending).toBe(0)
    await eth.start()
    await clock.advance(devnetBlockInterval * 2)
    expect(eth.backend.chain.head().number).toBe(1)
    expect(clock.pending).toBe(0)
  })

  it('can be stopped before it was started', async () => {
    const clock = new ManualClock()
    const eth = new EthService({ network: 'devnet', clock })
    await eth.stop()
    expect(eth.peers.closed).toBe(true)
    expect(clock.pending).toBe(0)
  })

  it('propagates new heads only while started', async () => {
    const clock = new ManualClock()
    const backend = memoryBackend(devnet, { clock })
    const eth = new EthService({ network: 'devnet', backend, clock })
    const sent: number[] = []
    eth.handler.broadcastBlock = (_block, td) => sent.push(Number(td))
    backend.chain.mine()
    await eth.start()
    backend.chain.mine()
    await eth.stop()
    backend.chain.mine()
    expect(sent).toHaveLength(1)
    expect(backend.chain.head().number).toBe(3) // your backend: the service never stops it
  })

  it('resolves an options object with undefined fields to the defaults', () => {
    const eth = new EthService({ network: undefined, clock: undefined, versions: undefined })
    stops.push(() => eth.stop())
    expect(eth.chain).toBe(mainnet)
    expect(eth.protocols.map((p) => p.version)).toEqual([72, 71, 70, 69])
  })
})

describe('defineDevnet', () => {
  it('reproduces the built-in devnet and gives other options their own genesis', () => {
    const same = defineDevnet({ networkId: 4242, name: 'devnet' })
    expect(same.genesisHash).toEqual(devnet.genesisHash)
    const other = defineDevnet({ networkId: 4242, extra: 'another devnet' })
    expect(other.name).toBe('devnet-4242')
    expect(other.genesisHash).not.toEqual(devnet.genesisHash)
    expect(forkIdAt(other, 0, 0).hash).not.toBe(forkIdAt(devnet, 0, 0).hash)
  })
})

describe('two nodes wired as node-app does', () => {
  async function start(
    net: MemoryNetwork,
    clock: ManualClock,
    ip: string,
    options: EthServiceOptions,
    staticNodes: Node[] = [],
  ) {
    const eth = await started(new EthService({ clock, ...options }))
    const events: { type: keyof EthEvents; detail: unknown }[] = []
    for (const type of ['peer:registered', 'handshake:failed', 'peer:head'] as const) {
      eth.handler.addEventListener(type, (e) => events.push({ type, detail: e.detail }))
    }
    const { server, node } = memoryServer(net, ip, clock, eth.protocols, staticNodes)
    await server.start()
    stops.push(async () => {
      await eth.stop()
      await server.stop()
    })
    return { eth, events, server, node }
  }

  it('emits the handshake and then each new head of the peer', async () => {
    const clock = new ManualClock()
    const net = new MemoryNetwork({ now: () => clock.now() })
    const a = await start(net, clock, '10.0.0.1', { network: 'devnet' })
    const b = await start(net, clock, '10.0.0.2', { network: 'devnet' }, [a.node])
    await untilClock(clock, () => b.events.some((e) => e.type === 'peer:registered'), 'handshake')
    const reg = b.events.find((e) => e.type === 'peer:registered')?.detail as {
      peer: { version: number }
    }
    expect(reg.peer.version).toBe(72)
    await clock.advance(devnetBlockInterval)
    await untilClock(clock, () => b.events.some((e) => e.type === 'peer:head'), 'peer head')
    const head = b.events.find((e) => e.type === 'peer:head')?.detail as {
      head: { number: number }
    }
    expect(head.head.number).toBeGreaterThanOrEqual(1)
  })

  it('a devnet node that joins late catches up, then both follow one chain', async () => {
    const clock = new ManualClock()
    const net = new MemoryNetwork({ now: () => clock.now() })
    const a = await start(net, clock, '10.0.0.1', { network: 'devnet', blockInterval: 1000 })
    await clock.advance(100_000) // A makes 100 blocks alone
    expect(a.eth.backend.chain.head().number).toBe(100)
    const b = await start(
      net,
      clock,
      '10.0.0.2',
      { network: 'devnet', blockInterval: 1000, versions: [69] },
      [a.node],
    )
    await untilClock(clock, () => b.eth.backend.chain.head().number >= 100, 'catch-up to block 100')
    for (let i = 0; i < 5; i++) await clock.advance(1000)
    const ha = a.eth.backend.chain.head()
    const hb = b.eth.backend.chain.head()
    expect(Math.abs(ha.number - hb.number)).toBeLessThanOrEqual(1)
    const n = Math.min(ha.number, hb.number)
    expect(b.eth.backend.chain.headerByNumber(n)).toEqual(a.eth.backend.chain.headerByNumber(n))
    // One chain, not two: about one block per interval in all.
    expect(Math.max(ha.number, hb.number)).toBeLessThan(100 + 5 + 3)
  })

  it("does not download a peer's chain unless following peers", async () => {
    const clock = new ManualClock()
    const net = new MemoryNetwork({ now: () => clock.now() })
    const a = await start(net, clock, '10.0.0.1', { network: 'devnet', blockInterval: 1000 })
    await clock.advance(10_000)
    const b = await start(
      net,
      clock,
      '10.0.0.2',
      { network: 'devnet', blockInterval: 0, followPeers: false },
      [a.node],
    )
    await untilClock(clock, () => b.eth.peers.len === 1, 'eth peer')
    await clock.advance(100)
    expect(a.eth.backend.chain.head().number).toBe(10)
    expect(b.eth.backend.chain.head().number).toBe(0)
  })

  it('reports a failed handshake when the network ids differ', async () => {
    const clock = new ManualClock()
    const net = new MemoryNetwork({ now: () => clock.now() })
    const a = await start(net, clock, '10.0.0.1', { network: 'devnet', blockInterval: 0 })
    const b = await start(
      net,
      clock,
      '10.0.0.2',
      { network: 'devnet', networkId: 7, blockInterval: 0 },
      [a.node],
    )
    await untilClock(
      clock,
      () => b.events.some((e) => e.type === 'handshake:failed'),
      'handshake failure',
    )
    const failed = b.events.find((e) => e.type === 'handshake:failed')?.detail as {
      error: DisconnectError
    }
    expect(failed.error).toBeInstanceOf(DisconnectError)
    expect((failed.error.cause as EthError).code).toBe('ERR_NETWORK_ID_MISMATCH')
    expect(b.eth.peers.len).toBe(0)
  })
})

import { encodeRlp, toHex } from '@x/core'
import { ManualClock } from '@x/core/testing'
import { generatePrivateKey, Node, nodeIdFromPrivateKey } from '@x/discover'
import { connectPeer, DisconnectReason, type Protocol, RemoteDisconnectError, Server } from '@x/p2p'
import { MemoryNetwork } from '@x/p2p/testing'
import { afterEach, describe, expect, it } from 'vitest'
import {
  AggregatorNode,
  encodeHeartbeat,
  type HeartbeatError,
  HeartbeatProtocol,
  HeartbeatService,
  rlpxConnector,
} from '../src/index.js'
import { fakeLink } from './helpers.js'

const stops: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s()
})

const head = { hash: new Uint8Array(32).fill(3), height: 5 }

async function aggregatorOn(net: MemoryNetwork): Promise<{ agg: AggregatorNode; target: Node }> {
  const agg = new AggregatorNode({
    privateKey: generatePrivateKey(),
    network: net.host('10.0.0.1'),
    listen: { ip: '10.0.0.1', port: 30305 },
    http: null,
  })
  await agg.start()
  stops.push(() => agg.stop())
  const target = new Node({ id: agg.server.id, ip: '10.0.0.1', udp: 30305, tcp: 30305 })
  return { agg, target }
}

function once<T>(add: (resolve: (v: T) => void) => void): Promise<T> {
  return new Promise(add)
}

/** A sub-protocol that claims to be heartbeat/1 and writes `payload` as message `code`. */
function rogue(code: number, payload: Uint8Array): Protocol {
  return {
    name: 'heartbeat',
    version: 1,
    length: 2,
    async run(_peer, rw, signal) {
      const aborted = new Promise((resolve) =>
        signal.addEventListener('abort', resolve, { once: true }),
      )
      await Promise.race([rw.writeMsg(code, payload).catch(() => {}), aborted])
      await aborted
    },
  }
}

async function rogueSend(net: MemoryNetwork, target: Node, code: number, payload: Uint8Array) {
  const peer = await connectPeer({
    privateKey: generatePrivateKey(),
    node: target,
    protocols: [rogue(code, payload)],
    network: net.host('10.0.0.66'),
  })
  return peer.run()
}

describe('heartbeat/1 over an in-memory network', () => {
  it('a service beats to a standalone aggregator through a dedicated dial', async () => {
    const net = new MemoryNetwork()
    const { agg, target } = await aggregatorOn(net)
    const key = generatePrivateKey()
    const service = new HeartbeatService({
      beatTarget: target,
      beatPeriod: '1s',
      nickname: 'mem',
      headGetter: () => head,
      nodeId: nodeIdFromPrivateKey(key),
      privateKey: key,
      network: net.host('10.0.0.2'),
    })
    const beat = once<string>((resolve) =>
      agg.aggregator.addEventListener('beat', (e) => resolve(e.detail.id), { once: true }),
    )
    await service.start()
    stops.push(() => service.stop())
    expect(await beat).toBe(toHex(nodeIdFromPrivateKey(key)))
    expect(service.protocol.peerIds()).toEqual([target.idHex])
    const node = agg.aggregator.nodes()[0]
    expect(node).toMatchObject({ nickname: 'mem', state: 'ok', connected: true })
    expect(node?.lastBeat.height).toBe(5)
    expect(node?.lastBeat.clientVersion).toBe('x-devp2p/v0.1.0')

    const closed = once<void>((resolve) =>
      agg.server.addEventListener('peer:removed', () => resolve(), { once: true }),
    )
    await service.stop()
    await closed
    expect(agg.aggregator.nodes()[0]?.connected).toBe(false)
  })

  it('redials every reconnectPeriod until the aggregator comes up', async () => {
    const net = new MemoryNetwork()
    const clock = new ManualClock()
    const aggKey = generatePrivateKey()
    const target = new Node({
      id: nodeIdFromPrivateKey(aggKey),
      ip: '10.0.0.1',
      udp: 30305,
      tcp: 30305,
    })
    const key = generatePrivateKey()
    const service = new HeartbeatService({
      beatTarget: target,
      reconnectPeriod: '10s',
      headGetter: () => head,
      nodeId: nodeIdFromPrivateKey(key),
      privateKey: key,
      network: net.host('10.0.0.2'),
      clock,
    })
    const failures: unknown[] = []
    service.addEventListener('connect:failed', (e) => failures.push(e.detail.error))
    await service.start()
    stops.push(() => service.stop())
    await clock.advance(0)
    expect(net.dials).toHaveLength(1)
    expect((failures[0] as { code?: string }).code).toBe('ERR_CONNECTION_REFUSED')
    await clock.advance(10_000)
    expect(net.dials).toHaveLength(2)

    const agg = new AggregatorNode({
      privateKey: aggKey,
      network: net.host('10.0.0.1'),
      listen: { ip: '10.0.0.1', port: 30305 },
      http: null,
    })
    await agg.start()
    stops.push(() => agg.stop())
    const connected = once<void>((resolve) =>
      service.addEventListener('connected', () => resolve(), { once: true }),
    )
    const beat = once<void>((resolve) =>
      agg.aggregator.addEventListener('beat', () => resolve(), { once: true }),
    )
    await clock.advance(10_000)
    await connected
    await beat
    expect(net.dials).toHaveLength(3)
    expect(failures).toHaveLength(2)
  })

  it('reuses a link the node’s Server already has to the aggregator', async () => {
    const net = new MemoryNetwork()
    const { target } = await aggregatorOn(net)
    const key = generatePrivateKey()
    const protocol = new HeartbeatProtocol()
    const server = new Server({
      privateKey: key,
      network: net.host('10.0.0.3'),
      listenAddress: { ip: '10.0.0.3', port: 30303 },
      protocols: [protocol],
      staticNodes: [target],
      noDiscovery: true,
    })
    await server.start()
    stops.push(() => server.stop())
    const link = await protocol.waitLink(target.idHex, AbortSignal.timeout(5_000))
    const connector = rlpxConnector({ privateKey: key, network: net.host('10.0.0.3'), protocol })
    const dialsBefore = net.dials.length
    const got = await connector(target, new AbortController().signal)
    expect(got.peer).toBe(link.peer)
    expect(net.dials.length).toBe(dialsBefore)
    await got.close()
    expect(server.peerCount()).toBe(1)
  })

  it('uses the Server’s link when its own dial loses the race with “already connected”', async () => {
    const net = new MemoryNetwork()
    const { agg, target } = await aggregatorOn(net)
    const key = generatePrivateKey()
    const protocol = new HeartbeatProtocol()
    // The Server's heartbeat/1 starts only when the gate opens: its connection is up at the
    // aggregator, but no link is there yet for the connector to share.
    let open = () => {}
    const gate = new Promise<void>((resolve) => {
      open = resolve
    })
    const gated: Protocol = {
      name: protocol.name,
      version: protocol.version,
      length: protocol.length,
      run: async (peer, rw, signal) => {
        await gate
        return protocol.run(peer, rw, signal)
      },
    }
    const server = new Server({
      privateKey: key,
      network: net.host('10.0.0.3'),
      listenAddress: { ip: '10.0.0.3', port: 30303 },
      protocols: [gated],
      staticNodes: [target],
      noDiscovery: true,
    })
    const added = once<void>((resolve) =>
      agg.server.addEventListener('peer:added', () => resolve(), { once: true }),
    )
    await server.start()
    stops.push(() => server.stop())
    await added
    expect(protocol.link(target.idHex)).toBeUndefined()

    const connector = rlpxConnector({ privateKey: key, network: net.host('10.0.0.3'), protocol })
    const got = connector(target, new AbortController().signal)
    const failed = await once<DisconnectReason | undefined>((resolve) =>
      agg.server.addEventListener('conn:failed', (e) => resolve(e.detail.reason), { once: true }),
    )
    expect(failed).toBe(DisconnectReason.AlreadyConnected)
    open()
    const link = await got
    expect(link.peer).toBe(protocol.link(target.idHex)?.peer)
    expect(agg.server.peerCount()).toBe(1)
    await link.close()
    expect(server.peerCount()).toBe(1)
  })

  it('drops its own dial when the Server’s link to the aggregator comes up first', async () => {
    const net = new MemoryNetwork()
    const { agg, target } = await aggregatorOn(net)
    const shared = fakeLink()
    // A protocol whose link to the aggregator is another peer's (the node Server's) by the
    // time the dedicated dial is up: the interleaving of two simultaneous dials.
    class Raced extends HeartbeatProtocol {
      override link() {
        return undefined
      }
      override async waitLink() {
        return shared.link
      }
    }
    const connector = rlpxConnector({
      privateKey: generatePrivateKey(),
      network: net.host('10.0.0.6'),
      protocol: new Raced(),
    })
    const removed = once<DisconnectReason>((resolve) =>
      agg.server.addEventListener('peer:removed', (e) => resolve(e.detail.reason), { once: true }),
    )
    const got = await connector(target, new AbortController().signal)
    expect(got).toBe(shared.link)
    expect(await removed).toBe(DisconnectReason.ClientQuitting)
    expect(agg.server.peerCount()).toBe(0)
  })

  it('a dedicated link ends with the aggregator’s Disconnect reason as a typed error', async () => {
    const net = new MemoryNetwork()
    const { agg, target } = await aggregatorOn(net)
    const connector = rlpxConnector({
      privateKey: generatePrivateKey(),
      network: net.host('10.0.0.5'),
      protocol: new HeartbeatProtocol(),
    })
    const link = await connector(target, new AbortController().signal)
    const ended = once<unknown>((resolve) =>
      link.signal.addEventListener('abort', () => resolve(link.signal.reason), { once: true }),
    )
    await agg.stop()
    const reason = await ended
    expect(reason).toBeInstanceOf(RemoteDisconnectError)
    expect((reason as RemoteDisconnectError).reason).toBe(DisconnectReason.ClientQuitting)
    await link.close()
  })

  it.each([
    ['garbage', 0, Uint8Array.of(0xff, 0x00)],
    ['a truncated record', 0, encodeRlp([1, new Uint8Array(32), 5])],
  ])(
    'drops a peer sending %s with ERR_BAD_HEARTBEAT and keeps running',
    async (_, code, payload) => {
      const net = new MemoryNetwork()
      const { agg, target } = await aggregatorOn(net)
      const dropped = once<HeartbeatError>((resolve) =>
        agg.aggregator.addEventListener('peer:dropped', (e) => resolve(e.detail.error), {
          once: true,
        }),
      )
      const info = await rogueSend(net, target, code, payload)
      expect((await dropped).code).toBe('ERR_BAD_HEARTBEAT')
      expect(info).toMatchObject({ reason: DisconnectReason.BreachOfProtocol, remote: true })
      expect(agg.server.running).toBe(true)
      expect(agg.aggregator.nodes()).toEqual([])

      // A well-behaved sender still gets through.
      const key = generatePrivateKey()
      const service = new HeartbeatService({
        beatTarget: target,
        headGetter: () => head,
        nodeId: nodeIdFromPrivateKey(key),
        privateKey: key,
        network: net.host('10.0.0.4'),
      })
      const beat = once<void>((resolve) =>
        agg.aggregator.addEventListener('beat', () => resolve(), { once: true }),
      )
      await service.start()
      stops.push(() => service.stop())
      await beat
      expect(agg.aggregator.nodes()).toHaveLength(1)
    },
  )

  it('drops a peer whose record carries another node’s ID', async () => {
    const net = new MemoryNetwork()
    const { agg, target } = await aggregatorOn(net)
    const forged = encodeHeartbeat({
      version: 1,
      head: head.hash,
      height: 1,
      nickname: 'forger',
      minerAddress: new Uint8Array(20),
      nodeId: nodeIdFromPrivateKey(generatePrivateKey()),
      clientVersion: 'x',
      peerCount: 0,
      timestamp: 0,
      period: 1_000,
    })
    const dropped = once<HeartbeatError>((resolve) =>
      agg.aggregator.addEventListener('peer:dropped', (e) => resolve(e.detail.error), {
        once: true,
      }),
    )
    await rogueSend(net, target, 0, forged)
    expect((await dropped).message).toContain('node ID')
    expect(agg.aggregator.nodes()).toEqual([])
  })

  it('a message code beyond heartbeat/1 is a breach of protocol (p2p layer)', async () => {
    const net = new MemoryNetwork()
    const { agg, target } = await aggregatorOn(net)
    const info = await rogueSend(net, target, 1, encodeRlp([]))
    expect(info).toMatchObject({ reason: DisconnectReason.BreachOfProtocol, remote: true })
    expect(agg.server.running).toBe(true)
  })

  it('refuses heartbeat peers beyond its limit', async () => {
    const net = new MemoryNetwork()
    const protocol = new HeartbeatProtocol({ maxPeers: 0 })
    const key = generatePrivateKey()
    const server = new Server({
      privateKey: key,
      network: net.host('10.0.0.1'),
      listenAddress: { ip: '10.0.0.1', port: 30305 },
      protocols: [protocol],
      noDial: true,
    })
    await server.start()
    stops.push(() => server.stop())
    const target = new Node({ id: server.id, ip: '10.0.0.1', udp: 30305, tcp: 30305 })
    const removed = once<DisconnectReason>((resolve) =>
      server.addEventListener('peer:removed', (e) => resolve(e.detail.reason), { once: true }),
    )
    const peer = await connectPeer({
      privateKey: generatePrivateKey(),
      node: target,
      protocols: [rogue(0, encodeRlp([]))],
      network: net.host('10.0.0.66'),
    })
    const ended = peer.run()
    stops.push(async () => {
      peer.disconnect(DisconnectReason.ClientQuitting)
      await ended
    })
    expect(await removed).toBe(DisconnectReason.TooManyPeers)
  })
})

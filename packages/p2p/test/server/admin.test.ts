import { generatePrivateKey, Node, nodeIdFromPrivateKey } from '@x/discover'
import { describe, expect, it } from 'vitest'
import {
  type DialDiscovery,
  DisconnectReason,
  decodeDisconnect,
  disconnectCode,
  expectMsg,
  helloCode,
  type InboundConn,
  type Network,
  protoHandshake,
} from '../../src/index.js'
import { nextEvent, nodeOf, rawConnect, rawHello, serverFixture } from './helpers.js'

// Runtime administration (addPeer, trusted set, discovery hand-over, noDial/noDiscovery),
// the second connection checkpoint, and stop/start edge cases.

const fx = serverFixture()

function keyed(ip: string) {
  const key = generatePrivateKey()
  return { key, node: new Node({ id: nodeIdFromPrivateKey(key), ip, udp: 1, tcp: 1 }) }
}

/** A discovery whose table is `table` and whose lookups find nothing. */
function fakeDiscovery(table: Node[], self?: Node) {
  const calls = { read: 0, iterate: 0 }
  const d: DialDiscovery = {
    ...(self ? { self } : {}),
    readRandomNodes: (n) => {
      calls.read++
      return table.slice(0, n)
    },
    async *randomNodes({ signal }) {
      calls.iterate++
      await new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true }))
    },
    resolve: async () => undefined,
  }
  return { d, calls }
}

async function disconnectOf(t: { readMsg(): Promise<{ code: number; payload: Uint8Array }> }) {
  return decodeDisconnect((await expectMsg(t as never, disconnectCode)).payload)
}

describe('Server checkpoints after the hello', () => {
  it('refuses with too many peers when the slots filled during the hello', async () => {
    // maxPeers 3, dialRatio 3: two inbound slots. Three links pass the first checkpoint at once.
    const b = fx.server('10.0.0.2', { maxPeers: 3 })
    await b.start()
    const links = [
      await rawConnect(fx.net, '10.0.0.7', b),
      await rawConnect(fx.net, '10.0.0.8', b),
      await rawConnect(fx.net, '10.0.0.9', b),
    ]
    for (const c of links.slice(0, 2)) {
      const added = nextEvent(b, 'peer:added')
      await protoHandshake(c.t, rawHello(c.id), { clock: fx.clock })
      await added
    }
    const last = links[2] as (typeof links)[number]
    const failed = nextEvent(b, 'conn:failed')
    await protoHandshake(last.t, rawHello(last.id), { clock: fx.clock })
    expect(await disconnectOf(last.t)).toBe(DisconnectReason.TooManyPeers)
    expect((await failed).reason).toBe(DisconnectReason.TooManyPeers)
    expect(b.peerCount()).toBe(2)
  })

  it('refuses a node that connected twice at once as already connected, after the hello', async () => {
    const b = fx.server('10.0.0.2')
    await b.start()
    const { key } = keyed('10.0.0.9')
    const one = await rawConnect(fx.net, '10.0.0.9', b, key)
    const two = await rawConnect(fx.net, '10.0.0.9', b, key)
    const added = nextEvent(b, 'peer:added')
    await protoHandshake(one.t, rawHello(one.id), { clock: fx.clock })
    await added
    await protoHandshake(two.t, rawHello(two.id), { clock: fx.clock })
    expect(await disconnectOf(two.t)).toBe(DisconnectReason.AlreadyConnected)
    expect(b.peerCount()).toBe(1)
    one.t.close()
  })
})

describe('Server with two nodes that dial each other at once', () => {
  it('keeps on both sides the connection dialed by the smaller node ID, and only that one', async () => {
    const a = fx.server('10.0.0.1')
    const b = fx.server('10.0.0.2')
    await Promise.all([a.start(), b.start()])
    const removed: { side: string; inbound: boolean; reason: DisconnectReason }[] = []
    for (const [side, s] of [
      ['a', a],
      ['b', b],
    ] as const) {
      s.addEventListener('peer:removed', (e) =>
        removed.push({ side, inbound: e.detail.peer.inbound, reason: e.detail.reason }),
      )
    }
    const failed: string[] = []
    a.addEventListener('conn:failed', () => failed.push('a'))
    b.addEventListener('conn:failed', () => failed.push('b'))
    // Both dial in the same tick: each side holds an inbound and an outbound connection.
    a.addPeer(nodeOf(b))
    b.addPeer(nodeOf(a))
    const aSmaller = a.idHex < b.idHex
    // Settled: one peer each, and the second connection on each side refused or dropped.
    const settled = () =>
      a.peerCount() === 1 && b.peerCount() === 1 && failed.length + removed.length >= 2
    for (let turns = 0; turns < 200 && !settled(); turns++) {
      await fx.clock.advance(0)
      await new Promise((r) => setImmediate(r))
    }
    expect(a.peerCount()).toBe(1)
    expect(b.peerCount()).toBe(1)
    const [pa, pb] = [a.peers()[0], b.peers()[0]]
    // The same TCP link on both sides, dialed by the node with the smaller ID.
    expect(pa?.inbound).toBe(!aSmaller)
    expect(pb?.inbound).toBe(aSmaller)
    // Whatever was dropped went as already connected; no second round of dialing was needed.
    expect(removed.every((r) => r.reason === DisconnectReason.AlreadyConnected)).toBe(true)
    await fx.clock.advance(1_000)
    expect(a.peerCount()).toBe(1)
    expect(b.peerCount()).toBe(1)
  })
})

describe('Server administration', () => {
  it('admits a node added as trusted at runtime over the limit, and not once removed', async () => {
    // maxPeers 1: the only slot is a dialed one, every inbound node is refused…
    const b = fx.server('10.0.0.2', { maxPeers: 1, noDial: true })
    await b.start()
    expect(b.maxInboundConns).toBe(1)
    const filler = await rawConnect(fx.net, '10.0.0.8', b)
    await protoHandshake(filler.t, rawHello(filler.id), { clock: fx.clock })
    const { key, node } = keyed('10.0.0.9')
    const refused = await rawConnect(fx.net, '10.0.0.9', b, key)
    expect(await disconnectOf(refused.t)).toBe(DisconnectReason.TooManyPeers)
    // …unless trusted.
    b.addTrustedPeer(node)
    const c = await rawConnect(fx.net, '10.0.0.9', b, key)
    const added = nextEvent(b, 'peer:added')
    await protoHandshake(c.t, rawHello(c.id), { clock: fx.clock })
    await added
    expect(b.peerCount()).toBe(2)
    expect(b.peersInfo().find((p) => p.network.trusted)?.network.remoteAddress).toMatch(
      /^10\.0\.0\.9:/,
    )
    const removed = nextEvent(b, 'peer:removed')
    c.t.close()
    await removed
    b.removeTrustedPeer(node.id)
    const again = await rawConnect(fx.net, '10.0.0.9', b, key)
    expect(await disconnectOf(again.t)).toBe(DisconnectReason.TooManyPeers)
    filler.t.close()
  })

  it('dials a node added with addPeer at runtime and reports it as static', async () => {
    const b = fx.server('10.0.0.2')
    await b.start()
    const a = fx.server('10.0.0.1')
    await a.start()
    const added = nextEvent(a, 'peer:added')
    a.addPeer(nodeOf(b))
    expect((await added).peer.idHex).toBe(nodeOf(b).idHex)
    expect(a.peersInfo()[0]?.network).toMatchObject({ static: true, inbound: false })
  })

  it('with noDial dials nobody: no static node, no bootnode, no discovery node', async () => {
    const b = fx.server('10.0.0.2')
    await b.start()
    const { d, calls } = fakeDiscovery([nodeOf(b)])
    const a = fx.server('10.0.0.1', {
      noDial: true,
      staticNodes: [nodeOf(b)],
      bootnodes: [nodeOf(b)],
      discovery: d,
    })
    await a.start()
    await fx.clock.advance(60_000)
    expect(fx.net.dials).toHaveLength(0)
    expect(calls).toEqual({ read: 0, iterate: 0 })
    expect(a.maxDialedConns).toBe(0)
  })

  it('with noDiscovery ignores discovery, given or handed over, but dials static nodes', async () => {
    const b = fx.server('10.0.0.2')
    await b.start()
    const c = fx.server('10.0.0.3')
    await c.start()
    const { d, calls } = fakeDiscovery([nodeOf(c)])
    const a = fx.server('10.0.0.1', { noDiscovery: true, discovery: d, staticNodes: [nodeOf(b)] })
    const added = nextEvent(a, 'peer:added')
    await a.start()
    await a.setDiscovery(d)
    expect((await added).peer.idHex).toBe(nodeOf(b).idHex)
    await fx.clock.advance(60_000)
    expect(calls).toEqual({ read: 0, iterate: 0 })
    expect(fx.net.dials.map((x) => x.to.idHex)).toEqual([nodeOf(b).idHex])
  })

  it('dials nodes of a discovery handed over after start, and shows its port in nodeInfo', async () => {
    const b = fx.server('10.0.0.2')
    await b.start()
    const a = fx.server('10.0.0.1', { enr: () => 'enr:-test' })
    await a.start()
    const self = new Node({ id: a.id, ip: '203.0.113.1', udp: 30399, tcp: 30303 })
    const { d } = fakeDiscovery([nodeOf(b)], self)
    const added = nextEvent(a, 'peer:added')
    await a.setDiscovery(d)
    expect((await added).peer.idHex).toBe(nodeOf(b).idHex)
    expect(a.nodeInfo()).toMatchObject({
      enr: 'enr:-test',
      ip: '203.0.113.1',
      ports: { discovery: 30399, listener: 30303 },
    })
    expect(Object.keys(a.nodeInfo())).toEqual([
      'id',
      'name',
      'enode',
      'enr',
      'ip',
      'ports',
      'listenAddr',
      'protocols',
    ])
  })
})

describe('Server start and stop', () => {
  it('holds 50 pending handshakes and 16 dials without a MaxListeners warning', async () => {
    const warnings: string[] = []
    const onWarning = (w: Error) => warnings.push(w.name)
    process.on('warning', onWarning)
    let accept!: (c: InboundConn) => void
    const hang = (signal: AbortSignal) =>
      new Promise<never>((_, reject) =>
        signal.addEventListener('abort', () => reject(signal.reason), { once: true }),
      )
    const network: Network = {
      listen: async (address, _local, onConn) => {
        accept = onConn
        return { address, close: async () => {} }
      },
      dial: (_node, _local, { signal }) => hang(signal),
    }
    const statics = Array.from({ length: 20 }, (_, i) => keyed(`10.0.1.${i + 1}`).node)
    const b = fx.server('10.0.0.2', { network, staticNodes: statics })
    await b.start()
    for (let port = 1; port <= 50; port++) {
      accept({
        remoteAddress: { ip: '10.0.0.9', port },
        handshake: ({ signal }) => hang(signal),
        close: () => {},
      })
    }
    await fx.clock.advance(0)
    await b.stop()
    await fx.clock.advance(0)
    process.off('warning', onWarning)
    expect(warnings).toEqual([])
  })

  it('stop before start is a no-op; start after stop rejects', async () => {
    const b = fx.server('10.0.0.2')
    await b.stop()
    await b.stop()
    await expect(b.start()).rejects.toMatchObject({ code: 'ERR_SERVER_STOPPED' })
    expect(b.running).toBe(false)
  })

  it('a connection in its hello exchange when the server stops gets "client quitting"', async () => {
    const b = fx.server('10.0.0.2')
    await b.start()
    const c = await rawConnect(fx.net, '10.0.0.9', b)
    const failed = nextEvent(b, 'conn:failed')
    expect((await c.t.readMsg()).code).toBe(helloCode)
    await b.stop()
    expect(await disconnectOf(c.t)).toBe(DisconnectReason.ClientQuitting)
    expect((await failed).reason).toBe(DisconnectReason.ClientQuitting)
  })
})

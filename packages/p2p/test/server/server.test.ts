import { generatePrivateKey } from '@x/discover'
import { describe, expect, it } from 'vitest'
import {
  DisconnectReason,
  decodeDisconnect,
  disconnectCode,
  expectMsg,
  type InboundConn,
  type MsgEvent,
  type Network,
  protoHandshake,
  send,
} from '../../src/index.js'
import { echoProtocol, nextEvent, nodeOf, rawConnect, rawHello, serverFixture } from './helpers.js'

const fx = serverFixture()

describe('Server', () => {
  it('connects to a static node, runs the shared protocol, and reports both sides', async () => {
    const protoA = echoProtocol()
    const b = fx.server('10.0.0.2')
    await b.start()
    const a = fx.server('10.0.0.1', {
      staticNodes: [nodeOf(b)],
      protocols: [protoA],
      name: 'alice',
    })
    const addedB = nextEvent(b, 'peer:added')
    const addedA = nextEvent(a, 'peer:added')
    await a.start()
    const [pa, pb] = [(await addedA).peer, (await addedB).peer]
    expect(pa.inbound).toBe(false)
    expect(pb.inbound).toBe(true)
    expect(pb.clientId).toBe('alice')
    expect(a.peerCount()).toBe(1)
    expect(b.peers()[0]?.idHex).toBe(a.nodeInfo().enode.slice(8, 136))
    await fx.clock.advance(0)
    expect(protoA.runs).toHaveLength(1)

    const info = a.peersInfo()
    expect(info).toHaveLength(1)
    expect(info[0]).toMatchObject({
      name: 'x-devp2p/v0.1.0',
      caps: ['echo/1'],
      network: { inbound: false, static: true, trusted: false, remoteAddress: '10.0.0.2:30303' },
      protocols: { echo: 'handshake' },
    })
    expect(b.nodeInfo()).toMatchObject({
      name: 'x-devp2p/v0.1.0',
      ip: '10.0.0.2',
      ports: { discovery: 30303, listener: 30303 },
      listenAddr: '10.0.0.2:30303',
      protocols: { echo: 'unknown' },
    })
    expect(b.nodeInfo().enode).toBe(`enode://${b.peers()[0] ? nodeOf(b).idHex : ''}@10.0.0.2:30303`)

    const removedB = nextEvent(b, 'peer:removed')
    await a.stop()
    const r = await removedB
    expect(r.reason).toBe(DisconnectReason.ClientQuitting)
    expect(r.remote).toBe(true)
    expect(b.peerCount()).toBe(0)
  })

  it('refuses a connection from itself after the encryption handshake', async () => {
    const key = crypto.getRandomValues(new Uint8Array(32))
    key[0] = 1
    const b = fx.server('10.0.0.2', { privateKey: key })
    await b.start()
    const failed = nextEvent(b, 'conn:failed')
    const { t } = await rawConnect(fx.net, '10.0.0.9', b, key)
    expect(decodeDisconnect((await expectMsg(t, disconnectCode)).payload)).toBe(
      DisconnectReason.ConnectedToSelf,
    )
    expect((await failed).reason).toBe(DisconnectReason.ConnectedToSelf)
  })

  it('refuses a second connection of a connected node as already connected', async () => {
    const b = fx.server('10.0.0.2')
    await b.start()
    const key = crypto.getRandomValues(new Uint8Array(32))
    key[0] = 1
    const first = await rawConnect(fx.net, '10.0.0.9', b, key)
    const added = nextEvent(b, 'peer:added')
    await protoHandshake(first.t, rawHello(first.id), { clock: fx.clock })
    await added
    const second = await rawConnect(fx.net, '10.0.0.9', b, key)
    expect(decodeDisconnect((await expectMsg(second.t, disconnectCode)).payload)).toBe(
      DisconnectReason.AlreadyConnected,
    )
    first.t.close()
  })

  it('refuses inbound peers over maxPeers unless trusted or static', async () => {
    const trustedKey = crypto.getRandomValues(new Uint8Array(32))
    trustedKey[0] = 1
    const { nodeIdFromPrivateKey, Node } = await import('@x/discover')
    const trustedNode = new Node({
      id: nodeIdFromPrivateKey(trustedKey),
      ip: '10.0.0.7',
      udp: 1,
      tcp: 1,
    })
    // maxPeers 3, dialRatio 3: one dialed slot, two inbound slots.
    const b = fx.server('10.0.0.2', { maxPeers: 3, trustedNodes: [trustedNode] })
    await b.start()
    expect(b.maxInboundConns).toBe(2)
    const links = []
    for (let i = 0; i < 2; i++) {
      const c = await rawConnect(fx.net, '10.0.0.9', b)
      const added = nextEvent(b, 'peer:added')
      await protoHandshake(c.t, rawHello(c.id), { clock: fx.clock })
      await added
      links.push(c.t)
    }
    const extra = await rawConnect(fx.net, '10.0.0.9', b)
    expect(decodeDisconnect((await expectMsg(extra.t, disconnectCode)).payload)).toBe(
      DisconnectReason.TooManyPeers,
    )
    const trusted = await rawConnect(fx.net, '10.0.0.7', b, trustedKey)
    const added = nextEvent(b, 'peer:added')
    await protoHandshake(trusted.t, rawHello(trusted.id), { clock: fx.clock })
    await added
    expect(b.peerCount()).toBe(3)
    expect(b.peersInfo().filter((p) => p.network.trusted)).toHaveLength(1)
  })

  it('drops a peer with no matching protocol as useless after the hello', async () => {
    const b = fx.server('10.0.0.2')
    await b.start()
    const c = await rawConnect(fx.net, '10.0.0.9', b)
    const failed = nextEvent(b, 'conn:failed')
    await protoHandshake(c.t, rawHello(c.id, [{ name: 'other', version: 1 }]), { clock: fx.clock })
    expect(decodeDisconnect((await expectMsg(c.t, disconnectCode)).payload)).toBe(
      DisconnectReason.UselessPeer,
    )
    expect((await failed).reason).toBe(DisconnectReason.UselessPeer)
    expect(b.peerCount()).toBe(0)
  })

  it('throttles a non-LAN IP for 30 s, but never a LAN one', async () => {
    const b = fx.server('10.0.0.2')
    await b.start()
    const first = await rawConnect(fx.net, '203.0.113.5', b)
    first.t.close()
    await expect(rawConnect(fx.net, '203.0.113.5', b)).rejects.toMatchObject({
      code: 'ERR_CONNECTION_REFUSED',
    })
    await fx.clock.advance(30_000)
    ;(await rawConnect(fx.net, '203.0.113.5', b)).t.close()
    ;(await rawConnect(fx.net, '10.0.0.9', b)).t.close()
    ;(await rawConnect(fx.net, '10.0.0.9', b)).t.close()
  })

  it('refuses IPs outside netRestrict', async () => {
    const b = fx.server('10.0.0.2', { netRestrict: ['10.0.0.0/24'] })
    await b.start()
    ;(await rawConnect(fx.net, '10.0.0.9', b)).t.close()
    await expect(rawConnect(fx.net, '10.0.1.9', b)).rejects.toMatchObject({
      code: 'ERR_CONNECTION_REFUSED',
    })
  })

  it('caps pending inbound handshakes and times them out', async () => {
    let accept!: (c: InboundConn) => void
    const network: Network = {
      listen: async (address, _local, onConn) => {
        accept = onConn
        return { address, close: async () => {} }
      },
      dial: () => Promise.reject(new Error('no dialing')),
    }
    const b = fx.server('10.0.0.2', { network, maxPendingPeers: 2 })
    await b.start()
    let closed = 0
    const hanging = (port: number): InboundConn => ({
      remoteAddress: { ip: '10.0.0.9', port },
      handshake: ({ signal }) =>
        new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
      close: () => {
        closed++
      },
    })
    const failures: unknown[] = []
    b.addEventListener('conn:failed', (e) => failures.push(e.detail.error))
    accept(hanging(1))
    accept(hanging(2))
    accept(hanging(3))
    expect(closed).toBe(1)
    await fx.clock.advance(5_000)
    expect(failures).toHaveLength(3)
    expect(failures[1]).toMatchObject({ code: 'ERR_TIMEOUT' })
    accept(hanging(4))
    expect(closed).toBe(1)
  })

  it('redials a static node after it comes back, and removePeer disconnects it', async () => {
    const bKey = generatePrivateKey()
    const b = fx.server('10.0.0.2', { privateKey: bKey })
    await b.start()
    const bNode = nodeOf(b)
    const a = fx.server('10.0.0.1', { staticNodes: [bNode] })
    const added = nextEvent(a, 'peer:added')
    await a.start()
    await added
    const removed = nextEvent(a, 'peer:removed')
    await b.stop()
    expect((await removed).reason).toBe(DisconnectReason.ClientQuitting)
    // b is down: the redial (at once: the last dial is history only for 35 s) is refused.
    await fx.clock.advance(36_000)
    expect(a.peerCount()).toBe(0)
    const dialsOfB = () => fx.net.dials.filter((d) => d.to.idHex === bNode.idHex).length
    expect(dialsOfB()).toBe(2)
    const b2 = fx.server('10.0.0.2', { privateKey: bKey })
    await b2.start()
    const again = nextEvent(a, 'peer:added')
    await fx.clock.advance(36_000)
    expect((await again).peer.idHex).toBe(bNode.idHex)
    expect(dialsOfB()).toBe(3)
    const gone = nextEvent(a, 'peer:removed')
    a.removePeer(bNode)
    expect((await gone).reason).toBe(DisconnectReason.Requested)
    await fx.clock.advance(72_000)
    expect(dialsOfB()).toBe(3)
    expect(a.peerCount()).toBe(0)
  })

  it('keeps exactly one link when two nodes dial each other at once', async () => {
    const keyA = generatePrivateKey()
    const keyB = generatePrivateKey()
    const { nodeIdFromPrivateKey, Node } = await import('@x/discover')
    const nodeA = new Node({
      id: nodeIdFromPrivateKey(keyA),
      ip: '10.0.0.1',
      udp: 30303,
      tcp: 30303,
    })
    const nodeB = new Node({
      id: nodeIdFromPrivateKey(keyB),
      ip: '10.0.0.2',
      udp: 30303,
      tcp: 30303,
    })
    const a = fx.server('10.0.0.1', { privateKey: keyA, staticNodes: [nodeB] })
    const b = fx.server('10.0.0.2', { privateKey: keyB, staticNodes: [nodeA] })
    let drops = 0
    for (const s of [a, b]) s.addEventListener('peer:removed', () => drops++)
    await Promise.all([a.start(), b.start()])
    await fx.clock.advance(1_000)
    expect([a.peerCount(), b.peerCount()]).toEqual([1, 1])
    await fx.clock.advance(100_000)
    expect([a.peerCount(), b.peerCount()]).toEqual([1, 1])
    // Both agree on the link: one side's peer is outbound, the other's inbound.
    expect(a.peers()[0]?.inbound).toBe(!b.peers()[0]?.inbound)
    expect(drops).toBeLessThanOrEqual(2)
  })

  it('emits message events when asked', async () => {
    const sunk: MsgEvent[] = []
    const b = fx.server('10.0.0.2', { messageEvents: true, onMessage: (e) => sunk.push(e) })
    await b.start()
    const events: MsgEvent[] = []
    b.addEventListener('message:received', (e) => events.push(e.detail))
    b.addEventListener('message:sent', (e) => events.push(e.detail))
    const c = await rawConnect(fx.net, '10.0.0.9', b)
    const added = nextEvent(b, 'peer:added')
    await protoHandshake(c.t, rawHello(c.id), { clock: fx.clock })
    await added
    await send(c.t, 16, ['hi'])
    await expectMsg(c.t, 17, ['hi'])
    await fx.clock.advance(0)
    expect(events.map((e) => [e.direction, e.protocol, e.code])).toEqual([
      ['received', 'echo', 0],
      ['sent', 'echo', 1],
    ])
    expect(sunk).toEqual(events)
  })

  it('fails to start on a taken address and stays stopped', async () => {
    const b = fx.server('10.0.0.2')
    await b.start()
    const c = fx.server('10.0.0.2')
    await expect(c.start()).rejects.toMatchObject({ code: 'ERR_ADDRESS_IN_USE' })
    expect(c.running).toBe(false)
    await c.stop()
  })

  it('start and stop are idempotent, and stop closes everything', async () => {
    const b = fx.server('10.0.0.2')
    await Promise.all([b.start(), b.start()])
    expect(b.running).toBe(true)
    await Promise.all([b.stop(), b.stop()])
    expect(b.running).toBe(false)
    expect(fx.net.listeners).toBe(0)
  })
})

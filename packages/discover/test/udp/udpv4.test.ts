import { getCrypto } from '@x/core'
import { flush } from '@x/core/testing'
import { afterEach, describe, expect, it } from 'vitest'
import { Enr } from '../../src/enr/index.js'
import { generatePrivateKey, Node, nodeIdFromPrivateKey } from '../../src/index.js'
import type { UDPv4, UdpAddress } from '../../src/udp/index.js'
import { bootstrap, parseBootnode } from '../../src/udp/index.js'
import { decodePacket, encodePacket, type Packet, PacketType } from '../../src/wire/index.js'
import { harness, ListSource } from './helpers.js'

const h = harness()
afterEach(async () => {
  await h.closeAll()
  expect(h.clock.pending).toBe(0)
})

/** A raw peer on the memory network that sends hand-made packets and records what it gets. */
function rawPeer(ip = '127.0.0.1') {
  const key = generatePrivateKey()
  const t = h.net.bind({ ip })
  const received: { packet: Packet; hash: Uint8Array; from: UdpAddress }[] = []
  t.onMessage((data, from) => {
    const d = decodePacket(data)
    received.push({ packet: d.packet, hash: d.hash, from })
  })
  const now = () => Math.trunc(h.clock.now() / 1000)
  return {
    key,
    id: nodeIdFromPrivateKey(key),
    t,
    received,
    send(p: Packet, to: UDPv4) {
      const e = encodePacket(p, key)
      t.send(e.bytes, { ip: to.self.ip, port: to.self.udp })
      return e.hash
    },
    ping(to: UDPv4, expiration = now() + 20, from = { ip: '1.2.3.4', udp: 1, tcp: 2 }) {
      return this.send(
        {
          type: PacketType.Ping,
          version: 4,
          from,
          to: { ip: to.self.ip, udp: to.self.udp, tcp: 0 },
          expiration,
        },
        to,
      )
    },
    of<T extends Packet['type']>(type: T) {
      return received.filter((r) => r.packet.type === type)
    },
    async close() {
      await t.close()
    },
  }
}

const tick = () => flush()

describe('UDPv4 endpoint proof', () => {
  it('bonds both ways after one ping and emits bonded on each side', async () => {
    const a = await h.make()
    const b = await h.make()
    const bondedA: Node[] = []
    const bondedB: { node: Node; first: boolean }[] = []
    a.addEventListener('bonded', (e) => bondedA.push(e.detail.node))
    b.addEventListener('bonded', (e) => bondedB.push(e.detail))
    const pong = await a.ping(b.self)
    expect(pong.enrSeq).toBe(b.enr.seq)
    await tick()
    expect(bondedA.map((n) => n.idHex)).toEqual([b.self.idHex])
    expect(bondedB.map((d) => [d.node.idHex, d.first])).toEqual([[a.self.idHex, true]])
    // The ping-back went to a's real port and carried its tcp port.
    expect(bondedB[0]!.node.udp).toBe(a.self.udp)
    expect(bondedB[0]!.node.tcp).toBe(a.self.tcp)
  })

  it('answers a ping at its source address, never at the claimed from', async () => {
    const s = await h.make()
    const p = rawPeer()
    const hash = p.ping(s, undefined, { ip: '8.8.8.8', udp: 9, tcp: 30303 })
    await tick()
    const pongs = p.of(PacketType.Pong)
    expect(pongs).toHaveLength(1)
    const pong = pongs[0]!.packet
    expect(pong.type === PacketType.Pong && pong.pingHash).toEqual(hash)
    expect(pong.type === PacketType.Pong && pong.to).toEqual({
      ip: '127.0.0.1',
      udp: p.t.address.port,
      tcp: 30303,
    })
    expect(pong.type === PacketType.Pong && pong.enrSeq).toBe(s.enr.seq)
    // Then it pings us back (we are unbonded), at the source address too, with its real ports in `from`.
    const back = p.of(PacketType.Ping)
    expect(back).toHaveLength(1)
    const bp = back[0]!.packet
    expect(bp.type === PacketType.Ping && bp.from).toEqual({
      ip: s.self.ip,
      udp: s.self.udp,
      tcp: s.self.tcp,
    })
    expect(bp.type === PacketType.Ping && bp.to).toEqual({
      ip: '127.0.0.1',
      udp: p.t.address.port,
      tcp: 30303,
    })
    expect(bp.type === PacketType.Ping && bp.enrSeq).toBe(s.enr.seq)
    await h.clock.advance(500)
  })

  it('drops expired packets (signed 64-bit expiration) and counts them', async () => {
    const s = await h.make()
    const p = rawPeer()
    p.ping(s, Math.trunc(h.clock.now() / 1000) - 1)
    p.ping(s, -(Math.trunc(h.clock.now() / 1000) + 20)) // 2^64 − (now+20) on the wire
    await tick()
    expect(p.received).toHaveLength(0)
    expect(s.stats.dropped.ERR_EXPIRED).toBe(2)
  })

  it('ignores unsolicited pong and neighbors, and malformed datagrams', async () => {
    const s = await h.make()
    const p = rawPeer()
    const exp = Math.trunc(h.clock.now() / 1000) + 20
    p.send(
      {
        type: PacketType.Pong,
        to: { ip: '127.0.0.1', udp: 1, tcp: 1 },
        pingHash: new Uint8Array(32),
        expiration: exp,
      },
      s,
    )
    p.send({ type: PacketType.Neighbors, nodes: [], expiration: exp }, s)
    for (const junk of [
      new Uint8Array(0),
      new Uint8Array(97),
      new Uint8Array(200).fill(7),
      new Uint8Array(2000),
    ]) {
      p.t.send(junk, { ip: s.self.ip, port: s.self.udp })
    }
    await tick()
    expect(p.received).toHaveLength(0)
    expect(s.stats.dropped.ERR_UNSOLICITED_REPLY).toBe(2)
    expect(s.stats.dropped.ERR_PACKET_TOO_SMALL).toBe(2)
    expect(s.stats.dropped.ERR_BAD_HASH).toBe(1)
    expect(s.stats.dropped.ERR_PACKET_TOO_LARGE).toBe(1)
    // Still alive.
    const q = await h.make()
    await expect(q.ping(s.self)).resolves.toBeDefined()
  })

  it('answers FindNode and ENRRequest only after the endpoint proof, per (id, IP)', async () => {
    const s = await h.make()
    s.setNodeSource(new ListSource([]))
    const p = rawPeer()
    const exp = () => Math.trunc(h.clock.now() / 1000) + 20
    p.send({ type: PacketType.FindNode, target: p.id, expiration: exp() }, s)
    p.send({ type: PacketType.ENRRequest, expiration: exp() }, s)
    await tick()
    expect(p.received).toHaveLength(0)
    expect(s.stats.dropped.ERR_UNKNOWN_NODE).toBe(2)
    // Bond: ping, then answer the ping-back.
    p.ping(s)
    await tick()
    const back = p.of(PacketType.Ping)[0]!
    p.send(
      {
        type: PacketType.Pong,
        to: { ip: '127.0.0.1', udp: s.self.udp, tcp: 0 },
        pingHash: back.hash,
        expiration: exp(),
      },
      s,
    )
    await tick()
    const reqHash = p.send({ type: PacketType.ENRRequest, expiration: exp() }, s)
    p.send({ type: PacketType.FindNode, target: p.id, expiration: exp() }, s)
    await tick()
    const enr = p.of(PacketType.ENRResponse)[0]!.packet
    expect(enr.type === PacketType.ENRResponse && enr.requestHash).toEqual(reqHash)
    expect(enr.type === PacketType.ENRResponse && Enr.decode(enr.record).toText()).toBe(
      s.enr.toText(),
    )
    // Nothing to send: one empty Neighbors.
    const nb = p.of(PacketType.Neighbors)
    expect(nb).toHaveLength(1)
    expect(nb[0]!.packet.type === PacketType.Neighbors && nb[0]!.packet.nodes).toEqual([])
    // Same key from another IP is not bonded.
    const other = h.net.bind({ ip: '127.0.0.2' })
    other.send(
      encodePacket({ type: PacketType.FindNode, target: p.id, expiration: exp() }, p.key).bytes,
      { ip: s.self.ip, port: s.self.udp },
    )
    await tick()
    expect(s.stats.dropped.ERR_UNKNOWN_NODE).toBe(3)
    await other.close()
  })
})

describe('UDPv4 answers', () => {
  /** A raw peer bonded with `s` (it pinged and answered the ping-back). */
  async function bondedPeer(s: UDPv4) {
    const p = rawPeer()
    p.ping(s)
    await tick()
    const back = p.of(PacketType.Ping)[0]!
    const exp = Math.trunc(h.clock.now() / 1000) + 20
    p.send(
      {
        type: PacketType.Pong,
        to: { ip: '127.0.0.1', udp: s.self.udp, tcp: 0 },
        pingHash: back.hash,
        expiration: exp,
      },
      s,
    )
    await tick()
    return p
  }

  it('tolerates 16-byte (IPv4-mapped) IPs and zero ports in a ping', async () => {
    const s = await h.make()
    const p = rawPeer()
    p.ping(s, undefined, { ip: '::ffff:10.0.0.1', udp: 0, tcp: 0 })
    await tick()
    expect(p.of(PacketType.Pong)).toHaveLength(1)
    await h.clock.advance(500)
  })

  it('splits 16 nodes into Neighbors of 12 and 4', async () => {
    const s = await h.make()
    const many = Array.from(
      { length: 20 },
      (_, i) =>
        new Node({
          id: nodeIdFromPrivateKey(generatePrivateKey()),
          ip: '127.0.0.1',
          udp: 40000 + i,
          tcp: 1,
        }),
    )
    s.setNodeSource(new ListSource(many))
    const p = await bondedPeer(s)
    p.send(
      {
        type: PacketType.FindNode,
        target: p.id,
        expiration: Math.trunc(h.clock.now() / 1000) + 20,
      },
      s,
    )
    await tick()
    const sizes = p
      .of(PacketType.Neighbors)
      .map((r) => (r.packet.type === PacketType.Neighbors ? r.packet.nodes.length : -1))
    expect(sizes).toEqual([12, 4])
  })
})

describe('UDPv4 requests', () => {
  const fakeNodes = (n: number, ip = '127.0.0.1') =>
    Array.from(
      { length: n },
      (_, i) =>
        new Node({
          id: nodeIdFromPrivateKey(generatePrivateKey()),
          ip,
          udp: 40000 + i,
          tcp: 40000 + i,
        }),
    )

  it('findnode bonds first, then gathers 16 nodes over two Neighbors packets', async () => {
    const a = await h.make()
    const b = await h.make()
    const known = fakeNodes(20)
    b.setNodeSource(new ListSource(known))
    const nodes = await a.findnode(b.self, a.self.id)
    expect(nodes.map((n) => n.idHex)).toEqual(known.slice(0, 16).map((n) => n.idHex))
  })

  it('findnode resolves with fewer nodes at the timeout, and [] on an empty Neighbors', async () => {
    const a = await h.make()
    const b = await h.make()
    const p = a.findnode(b.self, a.self.id)
    await h.clock.advance(500)
    await expect(p).resolves.toEqual([])
    b.setNodeSource(new ListSource(fakeNodes(3)))
    const q = a.findnode(b.self, a.self.id)
    await h.clock.advance(500)
    expect(await q).toHaveLength(3)
  })

  it('rejects relayed nodes that break the relay rules', async () => {
    const a = await h.make({ ip: '8.8.4.4' })
    const b = await h.make({ ip: '8.8.8.8' })
    const good = new Node({
      id: nodeIdFromPrivateKey(generatePrivateKey()),
      ip: '1.1.1.1',
      udp: 30303,
      tcp: 30303,
    })
    const bad = [
      ...fakeNodes(1, '127.0.0.1'),
      ...fakeNodes(1, '192.168.1.1'),
      ...fakeNodes(1, '224.0.0.1'),
      new Node({
        id: nodeIdFromPrivateKey(generatePrivateKey()),
        ip: '1.1.1.2',
        udp: 1024,
        tcp: 1,
      }),
    ]
    b.setNodeSource(new ListSource([...bad, good]))
    const p = a.findnode(b.self, a.self.id)
    await h.clock.advance(500)
    expect((await p).map((n) => n.ip)).toEqual(['1.1.1.1'])
  })

  it('drops Neighbors entries outside netrestrict', async () => {
    const a = await h.make({ netrestrict: (ip) => ip !== '127.0.0.1' })
    const b = await h.make()
    b.setNodeSource(new ListSource([...fakeNodes(2), ...fakeNodes(1, '127.0.0.9')]))
    const p = a.findnode(b.self, a.self.id)
    await h.clock.advance(500)
    expect((await p).map((n) => n.ip)).toEqual(['127.0.0.9'])
  })

  it('times out with a typed error', async () => {
    const a = await h.make()
    const silent = h.net.bind()
    const ghost = new Node({
      id: nodeIdFromPrivateKey(generatePrivateKey()),
      ip: '127.0.0.1',
      udp: silent.address.port,
      tcp: 1,
    })
    const p = a.ping(ghost)
    p.catch(() => {})
    await h.clock.advance(500)
    await expect(p).rejects.toMatchObject({ code: 'ERR_TIMEOUT' })
    const f = a.findnode(ghost, ghost.id)
    f.catch(() => {})
    await h.clock.advance(500)
    await expect(f).rejects.toMatchObject({ code: 'ERR_TIMEOUT' })
    await silent.close()
  })

  it('aborts a request with the signal reason', async () => {
    const a = await h.make()
    const silent = h.net.bind()
    const ghost = new Node({
      id: nodeIdFromPrivateKey(generatePrivateKey()),
      ip: '127.0.0.1',
      udp: silent.address.port,
      tcp: 1,
    })
    const ac = new AbortController()
    const p = a.ping(ghost, { signal: ac.signal })
    ac.abort(new Error('stop'))
    await expect(p).rejects.toThrow('stop')
    await silent.close()
  })

  it('requestENR returns the verified record; updateEndpoint bumps seq', async () => {
    const a = await h.make()
    const b = await h.make({ tcpPort: 30303 })
    const r1 = await a.requestENR(b.self)
    expect(r1.seq).toBe(b.enr.seq)
    expect(r1.tcp).toBe(30303)
    b.updateEndpoint({ tcp: 30304 })
    b.updateEndpoint({ tcp: 30304 })
    const r2 = await a.requestENR(b.self)
    expect(r2.seq).toBe(r1.seq + 1n)
    expect(r2.tcp).toBe(30304)
    expect((await a.ping(b.self)).enrSeq).toBe(r2.seq)
    b.setEnrEntries({ eth: [[new Uint8Array([0xc3, 0x76, 0xcf, 0x8b]), 0]] })
    const r3 = await a.requestENR(b.self)
    expect(r3.seq).toBe(r2.seq + 1n)
    expect([...r3.entries.keys()]).toContain('eth')
    expect(r3.tcp).toBe(30304)
  })

  it('close() fails pending requests and releases timers', async () => {
    const a = await h.make()
    const silent = h.net.bind()
    const ghost = new Node({
      id: nodeIdFromPrivateKey(generatePrivateKey()),
      ip: '127.0.0.1',
      udp: silent.address.port,
      tcp: 1,
    })
    const p = a.ping(ghost)
    await a.stop()
    await expect(p).rejects.toMatchObject({ code: 'ERR_CLOSED' })
    await expect(a.ping(ghost)).rejects.toMatchObject({ code: 'ERR_CLOSED' })
    await silent.close()
  })
})

describe('bootstrap', () => {
  it('bonds with enode and enr bootnodes and reports failures', async () => {
    const a = await h.make()
    const b = await h.make()
    const c = await h.make()
    const urls = [
      `enode://${b.self.idHex}@127.0.0.1:${b.self.tcp}?discport=${b.self.udp}`,
      c.enr.toText(),
      'enode://nonsense',
    ]
    expect(parseBootnode(urls[1]!).idHex).toBe(c.self.idHex)
    const bonded: string[] = []
    a.addEventListener('bonded', (e) => bonded.push(e.detail.node.idHex))
    const r = await bootstrap(a, urls)
    expect(r.bonded.map((n) => n.idHex).sort()).toEqual([b.self.idHex, c.self.idHex].sort())
    expect(r.failed.map((f) => f.bootnode)).toEqual(['enode://nonsense'])
    expect(bonded.sort()).toEqual([b.self.idHex, c.self.idHex].sort())
  })

  it('a hundred in-memory nodes bond with one hub and learn each other through it', async () => {
    const hub = await h.make()
    const bonded = new Map<string, Node>()
    hub.addEventListener('bonded', (e) => bonded.set(e.detail.node.idHex, e.detail.node))
    hub.setNodeSource({ closest: (_t, n) => [...bonded.values()].slice(0, n) })
    const nodes = await Promise.all(Array.from({ length: 100 }, () => h.make()))
    await Promise.all(nodes.map((n) => bootstrap(n, [hub.self])))
    expect(bonded.size).toBe(100)
    const found = await nodes[0]!.findnode(hub.self, nodes[0]!.self.id)
    expect(found).toHaveLength(16)
    expect(getCrypto()).toBeDefined()
  }, 20_000)
})

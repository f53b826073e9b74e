import { flush } from '@x/core/testing'
import { afterEach, describe, expect, it } from 'vitest'
import { generatePrivateKey, type NodeId } from '../../src/index.js'
import { admissionDefaults } from '../../src/udp/index.js'
import { encodePacket, PacketType } from '../../src/wire/index.js'
import { discv4Strict, hex } from '../fixtures.js'
import { harness } from './helpers.js'

const h = harness()
afterEach(async () => {
  await h.closeAll()
  expect(h.clock.pending).toBe(0)
})

const sum = (r: Record<string, number | undefined>) =>
  Object.values(r).reduce<number>((x, y) => x + (y ?? 0), 0)

describe('UDPv4 drops what it cannot decode', () => {
  it('answers none of the Pings go-ethereum rejects (33-byte or list enr-seq, 69-item from)', async () => {
    const s = await h.make()
    const peer = h.net.bind({ ip: '127.0.0.2' })
    const got: Uint8Array[] = []
    peer.onMessage((d) => got.push(d))
    const named = ['ping_enr_seq_33_bytes', 'ping_enr_seq_list', 'ping_from_69_items']
    const pings = discv4Strict.packets.filter((p) => p.go_ethereum === 'reject')
    expect(pings.map((p) => p.name)).toEqual(expect.arrayContaining(named))
    for (const p of pings) peer.send(hex(p.hex), { ip: s.self.ip, port: s.self.udp })
    await flush()
    expect(got).toHaveLength(0)
    expect(s.stats.sent).toBe(0)
    expect(s.stats.dropped.ERR_BAD_PACKET).toBe(pings.length)
    expect(sum(s.stats.receivedByType)).toBe(0)
    // An accepted ping from the same key is answered: the key and address are not the reason.
    const ok = discv4Strict.packets.find((p) => p.name === 'ping_enr_seq_then_extra')!
    peer.send(hex(ok.hex), { ip: s.self.ip, port: s.self.udp })
    await flush()
    expect(s.stats.sentByType.pong).toBe(1)
    await peer.close()
    await h.clock.advance(1000)
  })

  it('counts every failure by a typed reason and keeps serving', async () => {
    const s = await h.make()
    const peer = h.net.bind({ ip: '127.0.0.2' })
    const junk = [
      new Uint8Array(10),
      new Uint8Array(1300),
      new Uint8Array(150).fill(3),
      ...discv4Strict.packets.filter((p) => p.go_ethereum === 'reject').map((p) => hex(p.hex)),
    ]
    for (const j of junk) peer.send(j, { ip: s.self.ip, port: s.self.udp })
    await flush()
    expect(sum(s.stats.dropped)).toBe(junk.length)
    expect(Object.keys(s.stats.dropped).sort()).toEqual([
      'ERR_BAD_HASH',
      'ERR_BAD_PACKET',
      'ERR_PACKET_TOO_LARGE',
      'ERR_PACKET_TOO_SMALL',
    ])
    const q = await h.make()
    await expect(q.ping(s.self)).resolves.toBeDefined()
    await peer.close()
    await h.clock.advance(1000)
  })

  it('an error inside a handler is counted as ERR_INTERNAL, not thrown out of the socket', async () => {
    const s = await h.make()
    s.setNodeSource({
      closest(_t: NodeId, _n: number) {
        throw new TypeError('table bug')
      },
    })
    const q = await h.make()
    await q.bond(s.self)
    // q is bonded with s: its FindNode reaches the (throwing) node source.
    const answer = q.findnode(s.self, new Uint8Array(64))
    await flush()
    expect(s.stats.dropped.ERR_INTERNAL).toBe(1)
    const rejected = expect(answer).rejects.toMatchObject({ code: 'ERR_TIMEOUT' })
    await h.clock.advance(1000)
    await rejected
    // Still serving.
    await expect(h.make().then((r) => r.ping(s.self))).resolves.toBeDefined()
  })

  it('answers a node ID within its budget: beyond the burst its pings are counted and dropped', async () => {
    const s = await h.make()
    const peer = h.net.bind({ ip: '127.0.0.2' })
    const key = generatePrivateKey()
    const n = admissionDefaults.idBurst + 5
    for (let i = 0; i < n; i++) {
      const ping = encodePacket(
        {
          type: PacketType.Ping,
          version: 4,
          from: { ip: '127.0.0.2', udp: peer.address.port, tcp: 0 },
          to: { ip: s.self.ip, udp: s.self.udp, tcp: 0 },
          expiration: Math.trunc(h.clock.now() / 1000) + 20 + i,
        },
        key,
      )
      peer.send(ping.bytes, { ip: s.self.ip, port: s.self.udp })
    }
    await flush()
    expect(s.stats.sentByType.pong).toBe(admissionDefaults.idBurst)
    expect(s.stats.dropped.ERR_RATE_LIMITED).toBe(5)
    await peer.close()
    await h.clock.advance(1000)
  })

  it('admission: false answers every ping', async () => {
    const s = await h.make({ admission: false })
    expect(s.stats.admission).toBeUndefined()
    const peer = h.net.bind({ ip: '127.0.0.2' })
    const key = generatePrivateKey()
    for (let i = 0; i < admissionDefaults.idBurst + 5; i++) {
      const ping = encodePacket(
        {
          type: PacketType.Ping,
          version: 4,
          from: { ip: '127.0.0.2', udp: peer.address.port, tcp: 0 },
          to: { ip: s.self.ip, udp: s.self.udp, tcp: 0 },
          expiration: Math.trunc(h.clock.now() / 1000) + 20 + i,
        },
        key,
      )
      peer.send(ping.bytes, { ip: s.self.ip, port: s.self.udp })
    }
    await flush()
    expect(s.stats.sentByType.pong).toBe(admissionDefaults.idBurst + 5)
    await peer.close()
    await h.clock.advance(1000)
  })
})

import { randomBytes } from 'node:crypto'
import { toHex } from '@x/core'
import { flush } from '@x/core/testing'
import { afterEach, describe, expect, it } from 'vitest'
import { Enr, generatePrivateKey, nodeIdHash, Table } from '../../src/index.js'
import { lookupDistances } from '../../src/v5/index.js'
import { encodeRandomPacket, encodeWhoareyouPacket } from '../../src/v5wire/index.js'
import { v5harness } from './helpers.js'

const taps: { data: Uint8Array; to: { ip: string; port: number } }[] = []
const h = v5harness({ tap: (data, to) => taps.push({ data, to }) })
afterEach(async () => {
  await h.closeAll()
  taps.length = 0
  expect(h.clock.pending).toBe(0)
})

describe('UDPv5 sessions and requests (in memory)', () => {
  it('PING makes one handshake, then reuses the session', async () => {
    const a = await h.make()
    const b = await h.make()
    const pong = await a.ping(b.self)
    expect(pong.enrSeq).toBe(b.enr.seq)
    expect(b.stats.whoareyouSent).toBe(1)
    expect(a.stats.sentByType).toMatchObject({ random: 1, ping: 1 })
    expect(a.stats.handshakesCompleted).toBe(1)
    expect(b.stats.handshakesCompleted).toBe(1)
    // B learned A's record from the handshake (its WHOAREYOU said enr-seq 0).
    expect(b.records.get(toHex(a.localId))?.seq).toBe(a.enr.seq)
    for (let i = 0; i < 5; i++) await a.ping(b.self)
    expect(b.stats.whoareyouSent).toBe(1)
    expect(b.stats.receivedByType.ping).toBe(6)
    // B pings A over the session A started: no handshake either way.
    await b.ping(a.self)
    expect(a.stats.whoareyouSent).toBe(0)
  })

  it('FINDNODE distance 0 answers the record; TALKREQ reaches the registered handler', async () => {
    const a = await h.make()
    const b = await h.make()
    const enr = await a.requestENR(b.self)
    expect(enr.toText()).toBe(b.enr.toText())
    b.registerTalkHandler('echo', (req, from) => {
      expect(toHex(from.id)).toBe(toHex(a.localId))
      return Uint8Array.from([...req].reverse())
    })
    b.registerTalkHandler('slow', async (req) => {
      await flush()
      return req
    })
    expect(await a.talkRequest(b.self, 'echo', Uint8Array.of(1, 2, 3))).toEqual(
      Uint8Array.of(3, 2, 1),
    )
    expect(await a.talkRequest(b.self, 'slow', Uint8Array.of(9))).toEqual(Uint8Array.of(9))
    expect(await a.talkRequest(b.self, 'unknown', Uint8Array.of(9))).toEqual(new Uint8Array(0))
  })

  it('NODES answers come split over packets and are checked against the distances asked', async () => {
    const a = await h.make()
    const b = await h.make()
    const table = new Table({ self: b.self, clock: h.clock, ipLimits: { exemptLan: true } })
    b.setTable(table)
    // 40 nodes with records; the table keeps 16 per bucket.
    const others = await Promise.all(Array.from({ length: 40 }, () => h.make()))
    for (const o of others) {
      table.add(o.self)
      b.addRecord(o.enr)
    }
    const byDist = new Map<number, number>()
    for (const n of table.nodes()) {
      const dd = lookupDistances(nodeIdHash(n.id), b.self.hash, 1)[0]!
      byDist.set(dd, (byDist.get(dd) ?? 0) + 1)
    }
    const [top] = [...byDist.entries()].sort((x, y) => y[1] - x[1])
    const got = await a.findnodeAt(b.self, [top![0]])
    expect(got.length).toBe(top![1])
    const nodesPackets = b.stats.sentByType.nodes ?? 0
    expect(nodesPackets).toBeGreaterThan(1)
    const all = await a.findnodeAt(b.self, [254, 255, 256])
    expect(all.length).toBe(
      Math.min(
        16,
        table
          .nodes()
          .filter((n) =>
            [254, 255, 256].includes(lookupDistances(nodeIdHash(n.id), b.self.hash, 1)[0]!),
          ).length,
      ),
    )
    await Promise.all(others.map((o) => o.stop()))
  })

  it('times out a silent node (after one retry of the handshake start) with ERR_TIMEOUT', async () => {
    const a = await h.make()
    const silent = h.raw()
    const key = generatePrivateKey()
    const node = Enr.create({
      privateKey: key,
      seq: 1n,
      ip: silent.addr.ip,
      udp: silent.addr.port,
    }).toNode()!
    const p = a.ping(node)
    const caught = p.catch((e) => e)
    await h.clock.advance(700)
    expect(silent.received.length).toBe(2)
    await h.clock.advance(700)
    expect(await caught).toMatchObject({ code: 'ERR_TIMEOUT' })
  })

  it('queues requests to one node behind the one on the wire', async () => {
    const a = await h.make()
    const b = await h.make()
    const results = await Promise.all([a.ping(b.self), a.requestENR(b.self), a.ping(b.self)])
    expect(results).toHaveLength(3)
    expect(b.stats.whoareyouSent).toBe(1)
    expect(a.sessionCount.calls).toBe(0)
  })

  it('abort and stop fail requests and leave nothing pending', async () => {
    const a = await h.make()
    const silent = h.raw()
    const node = Enr.create({
      privateKey: generatePrivateKey(),
      seq: 1n,
      ip: silent.addr.ip,
      udp: silent.addr.port,
    }).toNode()!
    const ac = new AbortController()
    const p1 = a.ping(node, { signal: ac.signal }).catch((e) => e)
    const p2 = a.ping(node).catch((e) => e)
    ac.abort(new Error('stop it'))
    expect(((await p1) as Error).message).toBe('stop it')
    await a.stop()
    expect(await p2).toMatchObject({ code: 'ERR_CLOSED' })
    expect(a.sessionCount.calls).toBe(0)
  })
})

describe('UDPv5 bad input', () => {
  it('drops junk, foreign and undecryptable-garbage packets with typed counters', async () => {
    const b = await h.make()
    const r = h.raw()
    r.send(randomBytes(10), b.self)
    r.send(randomBytes(300), b.self)
    r.send(new Uint8Array(2000), b.self)
    await flush()
    expect(b.stats.dropped).toMatchObject({
      ERR_V5_TOO_SMALL: 1,
      ERR_V5_BAD_PROTOCOL_ID: 1,
      ERR_V5_TOO_LARGE: 1,
    })
    expect(r.received.length).toBe(0)
  })

  it('drops a replayed message packet and a replayed handshake', async () => {
    const a = await h.make()
    const b = await h.make()
    await a.ping(b.self)
    await a.ping(b.self)
    const toB = taps.filter((t) => t.to.port === b.self.udp)
    // toB: random, handshake, ping (message)
    expect(toB.length).toBe(3)
    const r = h.raw()
    const before = b.stats.receivedByType.ping
    // Replays from A's own address (a spoofer) are what a session is bound to.
    const replay = (d: Uint8Array) => b.deliver(d, { ip: a.self.ip, port: a.self.udp })
    replay(toB[2]!.data)
    replay(toB[1]!.data)
    expect(b.stats.dropped).toMatchObject({ ERR_V5_REPLAYED: 1, ERR_V5_UNEXPECTED_HANDSHAKE: 1 })
    expect(b.stats.receivedByType.ping).toBe(before)
    expect(r.received.length).toBe(0)
  })

  it('a WHOAREYOU nobody asked for is dropped; a handshake flood stays bounded', async () => {
    const b = await h.make({
      maxHandshakes: 50,
      whoareyouPerIpPerSecond: 1000,
      whoareyouPerSecond: 100_000,
    })
    const r = h.raw()
    for (let i = 0; i < 500; i++) {
      const p = encodeRandomPacket({
        destId: b.localId,
        srcId: randomBytes(32),
        iv: randomBytes(16),
        nonce: randomBytes(12),
        random: randomBytes(20),
      })
      r.send(p, b.self)
    }
    await flush()
    expect(b.stats.whoareyouSent).toBe(500)
    expect(b.sessionCount.handshakes).toBe(50)
    // WHOAREYOUs to b that match no request of its own.
    for (let i = 0; i < 10; i++) {
      const w = encodeWhoareyouPacket({
        destId: b.localId,
        iv: randomBytes(16),
        nonce: randomBytes(12),
        idNonce: randomBytes(16),
        enrSeq: 0n,
      })
      r.send(w.packet, b.self)
    }
    await flush()
    expect(b.stats.dropped.ERR_V5_UNEXPECTED_WHOAREYOU).toBe(10)
    expect(r.received.length).toBe(500)
  })

  it('rate-limits WHOAREYOUs per IP', async () => {
    const b = await h.make({ whoareyouPerIpPerSecond: 5, ip: '10.0.0.1' })
    const r = h.raw('10.0.0.2')
    for (let i = 0; i < 20; i++) {
      r.send(
        encodeRandomPacket({
          destId: b.localId,
          srcId: randomBytes(32),
          iv: randomBytes(16),
          nonce: randomBytes(12),
          random: randomBytes(20),
        }),
        b.self,
      )
    }
    await flush()
    expect(b.stats.whoareyouSent).toBe(5)
    expect(b.stats.dropped.ERR_V5_RATE_LIMITED).toBe(15)
    await h.clock.advance(1000)
    r.send(
      encodeRandomPacket({
        destId: b.localId,
        srcId: randomBytes(32),
        iv: randomBytes(16),
        nonce: randomBytes(12),
        random: randomBytes(20),
      }),
      b.self,
    )
    await flush()
    expect(b.stats.whoareyouSent).toBe(6)
  })
})

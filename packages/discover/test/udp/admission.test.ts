import { flush, ManualClock } from '@x/core/testing'
import { describe, expect, it } from 'vitest'
import { Admission, type AdmissionDrop, admissionDefaults } from '../../src/udp/admission.js'
import { FairQueue } from '../../src/udp/fair-queue.js'
import { TokenBuckets } from '../../src/udp/token-buckets.js'
import type { UdpAddress } from '../../src/udp/transport.js'
import { PacketType, wireConstants } from '../../src/wire/index.js'

describe('TokenBuckets', () => {
  it('allows the burst, then the rate, per key', () => {
    const b = new TokenBuckets(10, 3, 100)
    const now = 1_000_000
    expect([1, 2, 3, 4].map(() => b.take('a', now))).toEqual([true, true, true, false])
    expect(b.take('b', now)).toBe(true)
    // 10 per second: one token back after 100 ms, never more than the burst.
    expect(b.take('a', now + 100)).toBe(true)
    expect(b.take('a', now + 100)).toBe(false)
    expect([1, 2, 3, 4].map(() => b.take('a', now + 60_000))).toEqual([true, true, true, false])
  })

  it('keeps at most maxKeys buckets, evicting the least recently used', () => {
    const b = new TokenBuckets(1, 1, 2)
    b.take('a', 0)
    b.take('b', 0)
    b.take('a', 0) // a is now the most recent
    b.take('c', 0) // evicts b
    expect(b.size).toBe(2)
    expect(b.take('a', 0)).toBe(false)
    expect(b.take('b', 0)).toBe(true) // b was evicted: a fresh bucket (c goes)
  })
})

describe('FairQueue', () => {
  it('serves sources round-robin, whatever each sent', () => {
    const q = new FairQueue<string>(100, 10)
    for (let i = 0; i < 5; i++) q.push('flood', `f${i}`)
    q.push('honest', 'h0')
    q.push('other', 'o0')
    const order = Array.from({ length: 7 }, () => q.shift())
    expect(order).toEqual(['f0', 'h0', 'o0', 'f1', 'f2', 'f3', 'f4'])
    expect(q.size).toBe(0)
    expect(q.shift()).toBeUndefined()
  })

  it('refuses beyond perSource items and maxSources sources', () => {
    const q = new FairQueue<number>(2, 2)
    expect([q.push('a', 1), q.push('a', 2), q.push('a', 3)]).toEqual([true, true, false])
    expect([q.push('b', 1), q.push('c', 1)]).toEqual([true, false])
    expect(q.size).toBe(3)
    expect(q.sources).toBe(2)
  })
})

/** A datagram of `type` (only its type byte matters before decoding). */
const datagram = (type: number, tag: number) => {
  const d = new Uint8Array(wireConstants.headSize + 2)
  d[wireConstants.headSize - 1] = type
  d[wireConstants.headSize] = tag
  return d
}

function setup(options: Partial<typeof admissionDefaults> = {}) {
  const clock = new ManualClock()
  const handled: { tag: number; from: UdpAddress }[] = []
  const drops: AdmissionDrop[] = []
  const a = new Admission(
    { ...admissionDefaults, ...options },
    clock,
    (data, from) => handled.push({ tag: data[wireConstants.headSize]!, from }),
    (r) => drops.push(r),
  )
  return { clock, a, handled, drops }
}

describe('Admission', () => {
  it('queues and drains on the next turn, replies and bonded endpoints first', async () => {
    const { a, handled, clock } = setup()
    const flood = { ip: '10.0.0.1', port: 1 }
    const asked = { ip: '10.0.0.2', port: 2 }
    const bonded = { ip: '10.0.0.3', port: 3 }
    a.expectReply(asked.ip, asked.port, clock.now() + 1000, 1)
    a.markBonded(bonded.ip, bonded.port, clock.now() + 1000)
    for (let i = 0; i < 5; i++) a.receive(datagram(PacketType.Ping, i), flood)
    a.receive(datagram(PacketType.Pong, 10), asked)
    a.receive(datagram(PacketType.FindNode, 20), bonded)
    expect(handled).toHaveLength(0)
    expect(a.stats.queued).toBe(7)
    // Drain every slice (each turn processes for sliceMs at least one datagram).
    while (a.stats.queued > 0) await flush()
    expect(
      handled
        .map((h) => h.tag)
        .slice(0, 2)
        .sort(),
    ).toEqual([10, 20])
    expect(a.stats).toMatchObject({ priority: 2, unsolicited: 5, queued: 0, maxQueued: 7 })
    a.stop()
  })

  it('counts replies: a pinged-back endpoint cannot pass its flood off as replies', async () => {
    const { a, clock } = setup()
    const peer = { ip: '10.0.0.9', port: 9 }
    a.expectReply(peer.ip, peer.port, clock.now() + 1000, 1)
    // Pings are no replies; one Pong is, the second is not.
    a.receive(datagram(PacketType.Ping, 0), peer)
    a.receive(datagram(PacketType.Pong, 1), peer)
    a.receive(datagram(PacketType.Pong, 2), peer)
    expect(a.stats).toMatchObject({ priority: 1, unsolicited: 2 })
    // Expired allowances give no priority.
    const late = { ip: '10.0.0.8', port: 8 }
    a.expectReply(late.ip, late.port, clock.now() + 10, 5)
    await clock.advance(20)
    a.receive(datagram(PacketType.Pong, 3), late)
    expect(a.stats.priority).toBe(1)
    a.stop()
  })

  it('drops unsolicited datagrams beyond an IP budget and beyond the queue bounds', () => {
    const { a, drops } = setup({ ipBurst: 3, ipRate: 1, queuePerIp: 2, queueIps: 1 })
    const one = { ip: '10.0.0.1', port: 1 }
    for (let i = 0; i < 4; i++) a.receive(datagram(PacketType.Ping, i), one)
    // 3 within budget: 2 queued, 1 over the per-IP queue; the 4th over budget.
    expect(drops).toEqual(['ERR_QUEUE_FULL', 'ERR_RATE_LIMITED'])
    a.receive(datagram(PacketType.Ping, 9), { ip: '10.0.0.2', port: 2 })
    expect(drops.at(-1)).toBe('ERR_QUEUE_FULL') // one source IP queued at most
    expect(a.stats.queued).toBe(2)
    a.stop()
  })

  it('answers requests within a per-ID budget', () => {
    const { a, drops } = setup({ idBurst: 2, idRate: 1 })
    expect([a.admitRequest('aa'), a.admitRequest('aa'), a.admitRequest('aa')]).toEqual([
      true,
      true,
      false,
    ])
    expect(a.admitRequest('bb')).toBe(true)
    expect(drops).toEqual(['ERR_RATE_LIMITED'])
    a.stop()
  })

  it('with sliceMs 0 processes each datagram as it arrives; stop drops the queue', async () => {
    const sync = setup({ sliceMs: 0 })
    sync.a.receive(datagram(PacketType.Ping, 1), { ip: '10.0.0.1', port: 1 })
    expect(sync.handled).toHaveLength(1)
    sync.a.stop()
    const queued = setup()
    queued.a.receive(datagram(PacketType.Ping, 1), { ip: '10.0.0.1', port: 1 })
    queued.a.stop()
    await flush()
    expect(queued.handled).toHaveLength(0)
    expect(queued.a.stats.queued).toBe(0)
    queued.a.receive(datagram(PacketType.Ping, 2), { ip: '10.0.0.1', port: 1 })
    await flush()
    expect(queued.handled).toHaveLength(0)
  })
})

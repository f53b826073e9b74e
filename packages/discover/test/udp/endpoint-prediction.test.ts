import { started } from '@x/core'
import { flush, ManualClock } from '@x/core/testing'
import { afterEach, describe, expect, it } from 'vitest'
import { generatePrivateKey, MemoryNodeDB } from '../../src/index.js'
import { MemoryNetwork } from '../../src/testing/index.js'
import { type DatagramTransport, UDPv4, type UDPv4Options } from '../../src/udp/index.js'

// Endpoint prediction (go-ethereum's LocalNode + IPTracker): a node bound to all interfaces
// advertises 127.0.0.1 until enough Pongs name the address others see it at; then its record
// is re-signed with seq + 1 and served to whoever asks.

const net = new MemoryNetwork()
const clock = new ManualClock()
const open: UDPv4[] = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.stop()))
  expect(clock.pending).toBe(0)
})

async function make(ip: string, options: Partial<UDPv4Options> = {}, wildcard = false) {
  const socket = net.bind({ ip })
  // A socket bound to all interfaces: it reports 0.0.0.0, packets still reach it at `ip`.
  const transport: DatagramTransport = wildcard
    ? {
        address: { ip: '0.0.0.0', port: socket.address.port },
        send: (d, to) => socket.send(d, to),
        onMessage: (h) => socket.onMessage(h),
        onError: (h) => socket.onError(h),
        close: () => socket.close(),
      }
    : socket
  const s = await started(
    new UDPv4({
      privateKey: generatePrivateKey(),
      transport,
      clock,
      db: new MemoryNodeDB(),
      ntp: false,
      ...options,
    }),
  )
  open.push(s)
  return s
}

describe('UDPv4 endpoint prediction from Pongs', () => {
  it('learns its IP from the Pongs of distinct hosts and re-signs its record once', async () => {
    const a = await make('10.0.0.1', { ipTracker: { minStatements: 3 } }, true)
    expect(a.self.ip).toBe('127.0.0.1')
    const seq0 = a.enr.seq
    const changes: { ip: string; pongs: number; seq: bigint }[] = []
    a.addEventListener('endpoint:changed', (e) =>
      changes.push({ ip: e.detail.node.ip, pongs: e.detail.pongs, seq: e.detail.enr.seq }),
    )
    const peers = await Promise.all([1, 2, 3, 4].map((i) => make(`10.0.${i}.1`)))
    // Two Pongs from one host are one statement.
    await a.ping(peers[0]!.self)
    await a.ping(peers[0]!.self)
    await a.ping(peers[1]!.self)
    expect(a.self.ip).toBe('127.0.0.1')
    await a.ping(peers[2]!.self)
    expect(a.self.ip).toBe('10.0.0.1')
    expect(a.self.udp).toBe(a.enr.udp)
    expect(changes).toEqual([{ ip: '10.0.0.1', pongs: 4, seq: seq0 + 1n }])
    await a.ping(peers[3]!.self)
    expect(changes).toHaveLength(1)

    // A peer that asks gets the new record: ip, udp, tcp and the higher seq.
    await flush()
    const rec = await peers[3]!.requestENR(a.self)
    expect(rec.seq).toBe(seq0 + 1n)
    expect(rec.ip).toBe('10.0.0.1')
    expect(rec.udp).toBe(a.self.udp)
  })

  it('keeps a static IP (extip) whatever the Pongs say', async () => {
    const a = await make('10.0.0.1', { ip: '203.0.113.5', ipTracker: { minStatements: 1 } }, true)
    const b = await make('10.0.1.1')
    const seq = a.enr.seq
    await a.ping(b.self)
    expect(a.self.ip).toBe('203.0.113.5')
    expect(a.enr.seq).toBe(seq)
    expect(a.stats.pongs).toBe(1)
  })

  it('advertises an IPv6 endpoint beside the IPv4 one as ip6 in its record', async () => {
    const a = await make('10.0.0.1', { ipTracker: { minStatements: 1 } }, true)
    a.updateEndpoint({ ip: 'fd00::1' })
    expect(a.self.ip).toBe('127.0.0.1')
    expect(a.self6).toEqual({ ip: 'fd00::1', udp: a.self.udp })
    expect(a.enr.ip6).toBe('fd00::1')
    expect(a.enr.ip).toBe('127.0.0.1')
  })
})

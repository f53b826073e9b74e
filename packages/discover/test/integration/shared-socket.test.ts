import { describe, expect, it } from 'vitest'
import {
  Discovery,
  DiscoveryV5,
  formatEnode,
  generatePrivateKey,
  SharedDiscovery,
  UnhandledQueue,
} from '../../src/index.js'
import { expectNoLeakedHandles } from '../handles.js'

expectNoLeakedHandles()

describe('discv4 and discv5 on one UDP socket (real UDP, 127.0.0.1)', () => {
  it('a v4 node and a v5 node both bootstrap from one shared port', async () => {
    const shared = new SharedDiscovery({
      privateKey: generatePrivateKey(),
      host: '127.0.0.1',
      port: 0,
      ntp: false,
    })
    await shared.start()
    const port = shared.v4.self.udp
    expect(shared.v5.self.udp).toBe(port)
    // One record: v5 advertises v4's.
    expect(shared.v5.enr.toText()).toBe(shared.v4.udp.enr.toText())
    const v4 = new Discovery({
      privateKey: generatePrivateKey(),
      host: '127.0.0.1',
      port: 0,
      ntp: false,
      bootnodes: [formatEnode(shared.v4.self)],
    })
    const v5 = new DiscoveryV5({
      privateKey: generatePrivateKey(),
      host: '127.0.0.1',
      port: 0,
      bootnodes: [shared.v5.enr.toText()],
    })
    try {
      await v4.start()
      await v5.start()
      expect(v4.table.has(shared.v4.self.idHex)).toBe(true)
      expect(v5.table.has(shared.v5.self.idHex)).toBe(true)
      const enr = await v5.requestENR(shared.v5.self)
      expect(enr.seq).toBe(shared.v4.udp.enr.seq)
      // Each protocol's packets reached its own service on the one port.
      expect(shared.v5.udp.stats.receivedByType.ping).toBeGreaterThan(0)
      expect(shared.v4.udp.stats.receivedByType.ping).toBeGreaterThan(0)
      expect(shared.v4.udp.stats.dropped.ERR_BAD_HASH ?? 0).toBe(0)
      expect(shared.handoverDropped).toBe(0)
    } finally {
      await v5.stop()
      await v4.stop()
      await shared.stop()
    }
  })

  it('the hand-over queue is bounded and drops beyond its capacity', async () => {
    const got: number[] = []
    const q = new UnhandledQueue((d) => got.push(d[0]!), 3)
    for (let i = 0; i < 5; i++) q.push(Uint8Array.of(i), { ip: '127.0.0.1', port: 1 })
    expect(q.length).toBe(3)
    expect(q.dropped).toBe(2)
    await Promise.resolve()
    expect(got).toEqual([0, 1, 2])
    expect(q.length).toBe(0)
  })
})

import { type CryptoBackend, getCrypto, setCrypto, useFastCrypto } from '@x/core'
import { ManualClock } from '@x/core/testing'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { distcmp, generatePrivateKey, type Node } from '../../src/index.js'
import { MemoryNetwork } from '../../src/testing/index.js'
import { DiscoveryV5 } from '../../src/v5/index.js'

const nodes: DiscoveryV5[] = []
let prev: CryptoBackend
beforeAll(async () => {
  prev = getCrypto()
  await useFastCrypto()
})
afterAll(() => setCrypto(prev))
afterEach(async () => {
  await Promise.all(nodes.map((n) => n.stop()))
  nodes.length = 0
})

/** Advances the clock by 100 ms each time the event loop has nothing else to do. */
function idleTicker(clock: ManualClock): { stop(): void } {
  let on = true
  const loop = () => {
    if (!on) return
    void clock.advance(100).then(() => setImmediate(loop))
  }
  setImmediate(loop)
  return {
    stop() {
      on = false
    },
  }
}

function closestByBruteForce(target: Node, all: Node[], n: number): string[] {
  return all
    .filter((x) => x.idHex !== target.idHex)
    .sort((a, b) => distcmp(target.hash, a.hash, b.hash))
    .slice(0, n)
    .map((x) => x.idHex)
}

describe('DiscoveryV5 on a memory network', () => {
  it('20 nodes bootstrapped from one: every lookup finds the 16 closest', {
    timeout: 120_000,
  }, async () => {
    const net = new MemoryNetwork()
    const clock = new ManualClock()
    // Virtual time moves only while the network is idle: a lost answer times out, none is late.
    const ticker = idleTicker(clock)
    try {
      await runNetwork(clock, net)
    } finally {
      ticker.stop()
    }
  })

  it('a record update (higher seq) reaches a node that pings us', async () => {
    const net = new MemoryNetwork()
    const clock = new ManualClock()
    const a = new DiscoveryV5({ privateKey: generatePrivateKey(), transport: net.bind(), clock })
    nodes.push(a)
    await a.start()
    const b = new DiscoveryV5({
      privateKey: generatePrivateKey(),
      transport: net.bind(),
      clock,
      bootnodes: [a.enr],
    })
    nodes.push(b)
    await b.start()
    expect(b.table.has(a.self.idHex)).toBe(true)
    const before = a.enr.seq
    a.udp.setEnrEntries({ foo: Uint8Array.of(1) })
    expect(a.enr.seq).toBe(before + 1n)
    // Revalidation pings, sees the higher seq in the PONG and fetches the record.
    const pong = await b.udp.ping(a.self)
    expect(pong.enrSeq).toBe(before + 1n)
    const enr = await b.requestENR(a.self)
    expect(enr.seq).toBe(before + 1n)
    expect(b.record(a.self)?.seq).toBe(before + 1n)
    expect(b.table.entry(a.self.idHex)?.enr?.seq).toBe(before + 1n)
    // Without asking: a's next PING carries seq + 2, and b fetches the record by itself.
    a.udp.setEnrEntries({ foo: Uint8Array.of(2) })
    const updated = new Promise<bigint>((resolve) =>
      b.udp.addEventListener('enr:updated', (e) => resolve(e.detail.enr.seq), { once: true }),
    )
    await a.udp.ping(b.self)
    expect(await updated).toBe(before + 2n)
    expect(b.table.entry(a.self.idHex)?.enr?.seq).toBe(before + 2n)
  })
})

/** Starts 20 nodes from one bootnode, refreshes each, and checks every self lookup. */
async function runNetwork(clock: ManualClock, net: MemoryNetwork): Promise<void> {
  const make = (bootnodes: string[]) => {
    const d = new DiscoveryV5({
      privateKey: generatePrivateKey(),
      transport: net.bind({ ip: '127.0.0.1' }),
      clock,
      bootnodes,
      random: Math.random,
    })
    nodes.push(d)
    return d
  }
  const boot = make([])
  await boot.start()
  const rest = Array.from({ length: 19 }, () => make([boot.enr.toText()]))
  for (const d of rest) await d.start()
  const t0 = performance.now()
  for (const d of nodes) await d.refresh()
  console.log(`20 refreshes: ${(performance.now() - t0).toFixed(0)} ms`)
  const all = nodes.map((d) => d.self)
  let exact = 0
  for (const d of nodes) {
    const found = await d.lookup(d.self.id)
    const want = closestByBruteForce(d.self, all, 16)
    expect(found.map((n) => n.idHex)).toEqual(want)
    exact++
  }
  expect(exact).toBe(20)
  // Every node answered over sessions: one handshake per pair at most.
  const hs = nodes.reduce((s, d) => s + d.udp.stats.whoareyouSent, 0)
  expect(hs).toBeLessThanOrEqual(20 * 19)
}

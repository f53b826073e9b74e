import { type CryptoBackend, getCrypto, setCrypto, useFastCrypto } from '@x/core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Discovery } from '../../src/index.js'
import {
  overlap,
  randomTarget,
  Simulation,
  type SimulationOptions,
  tracedLookup,
  trueClosest,
} from '../../src/testing/index.js'

const sims: Simulation[] = []
// Simulations use `simCrypto` over the process-wide backend: WASM keccak keeps them fast.
let previous: CryptoBackend
beforeAll(async () => {
  previous = getCrypto()
  await useFastCrypto()
})
afterAll(() => setCrypto(previous))
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.stop()))
})

function sim(options: SimulationOptions): Simulation {
  const s = new Simulation(options)
  sims.push(s)
  return s
}

/** Bootnode 0 alone, bootnodes 1 and 2 from it, then `n - 3` nodes from all three. */
async function network(s: Simulation, n: number): Promise<Discovery[]> {
  const b0 = await s.runUntil(s.startNode())
  const boots = [
    b0,
    ...(await s.runUntil(Promise.all([1, 2].map(() => s.startNode({ bootnodes: [b0.self] }))))),
  ]
  const bootnodes = boots.map((b) => b.self)
  const rest = Array.from({ length: n - 3 }, () => s.startNode({ bootnodes }))
  return [...boots, ...(await s.runUntil(Promise.all(rest)))]
}

describe('Simulation', () => {
  it("runs the seeds' 3-node scenario: 2 and 3 bootstrap from 1, 3 finds 2 by lookup", async () => {
    const s = sim({ seed: 3, latencyMs: { min: 5, max: 40 } })
    const n1 = await s.runUntil(s.startNode())
    expect(n1.table.size).toBe(0)
    const [n2, n3] = await s.runUntil(
      Promise.all([s.startNode({ bootnodes: [n1.self] }), s.startNode({ bootnodes: [n1.self] })]),
    )
    await s.runUntil(Promise.all([n2!.refresh(), n3!.refresh()]))
    expect(n1.table.has(n2!.self.idHex)).toBe(true)
    expect(n1.table.has(n3!.self.idHex)).toBe(true)
    n3!.table.delete(n2!.self.idHex)
    const found = await s.runUntil(n3!.lookup(n2!.self.id))
    expect(found[0]?.idHex).toBe(n2!.self.idHex)
    expect(found[0]?.udp).toBe(n2!.self.udp)
  })

  it('is deterministic: the same seed gives the same network', async () => {
    const fingerprint = async (seed: number) => {
      const s = sim({ seed, latencyMs: { min: 1, max: 30 }, loss: 0.05 })
      const nodes = await network(s, 12)
      await s.run(20_000)
      const f = nodes.map((d) =>
        d.table
          .nodes()
          .map((n) => n.idHex.slice(0, 8))
          .sort()
          .join(','),
      )
      return { f: f.join('|'), stats: s.stats }
    }
    const a = await fingerprint(11)
    const b = await fingerprint(11)
    const c = await fingerprint(12)
    expect(b).toEqual(a)
    expect(c.f).not.toBe(a.f)
    expect(a.stats.lost).toBeGreaterThan(0)
  })

  it('64 nodes from 3 bootnodes converge: lookups find the true 16 closest', async () => {
    const s = sim({ seed: 7, latencyMs: { min: 10, max: 60 } })
    const nodes = await network(s, 64)
    // Every node ran its first refresh (self lookup + 3 random lookups) in the background.
    await s.runUntil(Promise.all(nodes.map((d) => d.refresh())))
    const sizes = nodes.map((d) => d.table.size)
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(16)

    const all = nodes.map((d) => d.self)
    let hits = 0
    let maxRounds = 0
    const lookups = 20
    for (let i = 0; i < lookups; i++) {
      const from = nodes[Math.floor(s.random() * nodes.length)]!
      const target = randomTarget(s.random)
      const t = await s.runUntil(tracedLookup(from, target, s.clock))
      const truth = trueClosest(
        all.filter((n) => n.idHex !== from.self.idHex),
        target,
      )
      hits += overlap(t.result, truth)
      maxRounds = Math.max(maxRounds, t.rounds)
      expect(t.queries).toBeGreaterThan(0)
    }
    expect(hits / (lookups * 16)).toBeGreaterThanOrEqual(0.9)
    expect(maxRounds).toBeLessThanOrEqual(12)
  })

  it('converges with 10 % datagram loss', async () => {
    const s = sim({ seed: 5, latencyMs: { min: 10, max: 60 }, loss: 0.1 })
    const nodes = await network(s, 30)
    await s.runUntil(Promise.all(nodes.map((d) => d.refresh())))
    const [a, b] = [nodes[10]!, nodes[20]!]
    a.table.delete(b.self.idHex)
    const found = await s.runUntil(a.resolve(b.self.id))
    expect(found?.idHex).toBe(b.self.idHex)
    expect(s.stats.lost).toBeGreaterThan(0)
  })
})

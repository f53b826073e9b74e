import { afterEach, describe, expect, it } from 'vitest'
import { distcmp, type Node, nodeIdHash } from '../../src/index.js'
import { FakeNetwork } from './fake-network.js'
import { randomNode } from './helpers.js'

let net: FakeNetwork
afterEach(async () => {
  await net?.stopAll()
})

/** Starts every peer's maintenance (each refreshes at once) and waits for the refreshes. */
async function refreshAll(n: FakeNetwork): Promise<void> {
  for (const p of n.peers.values()) p.kad.start()
  for (const p of n.peers.values()) await p.kad.refresh()
  for (const p of n.peers.values()) await p.kad.settle()
}

/** A network of `n` peers bootstrapped from the first one. */
async function converged(n: number): Promise<FakeNetwork> {
  net = new FakeNetwork()
  const boot = net.add()
  for (let i = 1; i < n; i++) net.add({ bootnodes: [boot.node] })
  await refreshAll(net)
  return net
}

const trueClosest = (nodes: Node[], target: Uint8Array, k: number) =>
  [...nodes].sort((a, b) => distcmp(target, a.hash, b.hash)).slice(0, k)

describe('lookup', () => {
  it('converges on a 150-node network to (nearly) the true 16 closest', async () => {
    await converged(150)
    const all = [...net.peers.values()].map((p) => p.node)
    const peers = [...net.peers.values()]
    let found = 0
    let total = 0
    for (let k = 0; k < 20; k++) {
      const from = peers[(k * 37) % peers.length]!
      const target = randomNode().id
      const want = trueClosest(
        all.filter((n) => n.idHex !== from.node.idHex),
        nodeIdHash(target),
        16,
      ).map((n) => n.idHex)
      const got = await from.kad.lookup(target)
      expect(got.length).toBe(16)
      found += got.filter((n) => want.includes(n.idHex)).length
      total += 16
    }
    expect(found / total).toBeGreaterThanOrEqual(0.9)
  })

  it('keeps alpha = 3 queries in flight and stops once the closest have all been asked', async () => {
    await converged(80)
    const a = [...net.peers.values()][11]!
    a.transport.maxInflight = 0
    const before = net.findnodes
    const got = await a.kad.lookup(randomNode().id)
    expect(got).toHaveLength(16)
    expect(a.transport.maxInflight).toBe(3)
    // Every node of the result was asked, and the lookup did not ask the whole network.
    const asked = net.findnodes - before
    expect(asked).toBeGreaterThanOrEqual(16)
    expect(asked).toBeLessThan(79)
  })

  it('resolves a node it does not know by lookup, and a known one locally', async () => {
    await converged(60)
    const peers = [...net.peers.values()]
    const a = peers[5]!
    const target = peers.find((p) => !a.kad.table.has(p.node.idHex) && p !== a)
    if (target) {
      const before = net.findnodes
      const found = await a.kad.resolve(target.node.id)
      expect(found?.idHex).toBe(target.node.idHex)
      expect(net.findnodes).toBeGreaterThan(before)
    }
    const known = a.kad.table.nodes()[0]!
    const before = net.findnodes
    expect((await a.kad.resolve(known.id))?.idHex).toBe(known.idHex)
    expect(net.findnodes).toBe(before)
    expect(await a.kad.resolve(randomNode().id)).toBeUndefined()
  })

  it('pings newly seen nodes before adding them to the table', async () => {
    net = new FakeNetwork()
    const a = net.add()
    const b = net.add()
    const c = net.add()
    const dead = randomNode('10.9.9.9')
    // b knows c and a dead node; a knows only b.
    b.kad.table.add(c.node)
    b.kad.table.add(dead)
    a.kad.table.add(b.node)
    const result = await a.kad.lookup(randomNode().id)
    await a.kad.settle()
    expect(result.map((n) => n.idHex)).not.toContain(dead.idHex)
    expect(a.kad.table.has(c.node.idHex)).toBe(true)
    expect(a.kad.table.has(dead.idHex)).toBe(false)
  })

  it('counts findnode failures in the DB and drops a node after 5', async () => {
    net = new FakeNetwork()
    const a = net.add()
    const b = net.add()
    a.kad.table.add(b.node)
    net.dead.add(b.node.idHex)
    for (let i = 1; i <= 4; i++) {
      await a.kad.lookup(b.node.id)
      expect(a.kad.db.findFails(b.node.id, b.node.ip)).toBe(i)
      expect(a.kad.table.has(b.node.idHex)).toBe(true)
    }
    await a.kad.lookup(b.node.id)
    expect(a.kad.db.findFails(b.node.id, b.node.ip)).toBe(5)
    expect(a.kad.table.has(b.node.idHex)).toBe(false)
  })

  it('lowers the failure count when a node answers again', async () => {
    net = new FakeNetwork()
    const a = net.add()
    const b = net.add()
    a.kad.table.add(b.node)
    a.kad.db.updateFindFails(b.node.id, b.node.ip, 3)
    await a.kad.lookup(randomNode().id)
    expect(a.kad.db.findFails(b.node.id, b.node.ip)).toBe(2)
  })

  it('starts from DB seeds and bootnodes when the table is empty', async () => {
    net = new FakeNetwork()
    const b = net.add()
    const c = net.add()
    b.kad.table.add(c.node)
    const a = net.add({ bootnodes: [b.node] })
    const got = await a.kad.lookup(randomNode().id)
    expect(new Set(got.map((n) => n.idHex))).toEqual(new Set([b.node.idHex, c.node.idHex]))
    const d = net.add()
    d.kad.db.updateNode({ node: c.node, lastSeen: net.clock.now() })
    d.kad.db.updateLastPongReceived(c.node.id, c.node.ip, net.clock.now())
    expect((await d.kad.lookup(randomNode().id)).map((n) => n.idHex)).toContain(c.node.idHex)
  })

  it('rejects with the abort reason when the signal aborts', async () => {
    await converged(20)
    const a = [...net.peers.values()][3]!
    const ac = new AbortController()
    const p = a.kad.lookup(randomNode().id, { signal: ac.signal })
    ac.abort(new Error('stop'))
    await expect(p).rejects.toThrow('stop')
    await expect(a.kad.lookup(randomNode().id, { signal: ac.signal })).rejects.toThrow('stop')
  })

  it('returns nothing when nobody is known', async () => {
    net = new FakeNetwork()
    expect(await net.add().kad.lookup(randomNode().id)).toEqual([])
  })
})

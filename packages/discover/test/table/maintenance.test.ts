import { afterEach, describe, expect, it } from 'vitest'
import {
  Enr,
  generatePrivateKey,
  Node,
  type NodeId,
  nodeIdFromPrivateKey,
  tableDefaults,
} from '../../src/index.js'
import { FakeNetwork, type FakePeer } from './fake-network.js'

let net: FakeNetwork
afterEach(async () => {
  await net?.stopAll()
  expect(net.clock.pending).toBe(0)
})

/** A node at log distance 256 from `base` (so all land in bucket 16), with its real ID. */
function farNode(base: Uint8Array, ip: string): { node: Node; key: Uint8Array } {
  for (;;) {
    const key = generatePrivateKey()
    const node = new Node({ id: nodeIdFromPrivateKey(key), ip, udp: 30303, tcp: 30303 })
    if ((node.hash[0]! ^ base[0]!) & 0x80) return { node, key }
  }
}

function peerAt256(a: FakePeer, ip: string): FakePeer & { key: Uint8Array } {
  const { node, key } = farNode(a.node.hash, ip)
  return { ...net.add({ node }), key }
}

const order = (p: FakePeer) => p.kad.table.buckets[16]!.entries.map((e) => e.node.idHex)
const maxRevalidateWait = tableDefaults.revalidateIntervalMs * 1.5

describe('revalidation', () => {
  it('pings the last node of a bucket and moves it to the front when alive', async () => {
    net = new FakeNetwork()
    const a = net.add()
    const b = peerAt256(a, '10.1.0.2')
    const c = peerAt256(a, '10.1.0.3')
    a.kad.table.add(b.node)
    a.kad.table.add(c.node)
    a.kad.start()
    // The start refresh's lookups bump nodes that answer: read the order after it.
    await a.kad.refresh()
    const [first, last] = order(a)
    const pings = net.pings
    for (let t = 0; t < maxRevalidateWait && net.pings === pings; t += 250) {
      await net.clock.advance(250)
    }
    expect(net.pings).toBe(pings + 1)
    expect(order(a)).toEqual([last, first])
    expect(a.kad.table.entry(last!)!.livenessChecks).toBe(1)
  })

  it('replaces a dead node by a replacement candidate', async () => {
    net = new FakeNetwork()
    const a = net.add()
    const b = peerAt256(a, '10.1.0.2')
    const c = peerAt256(a, '10.1.0.3')
    const r = peerAt256(a, '10.1.0.4')
    a.kad.table.add(b.node)
    a.kad.table.add(c.node)
    a.kad.table.addReplacement(r.node)
    net.dead.add(c.node.idHex)
    const events: string[] = []
    a.kad.table.addEventListener('node:removed', (e) => events.push(`-${e.detail.node.idHex}`))
    a.kad.table.addEventListener('node:added', (e) => events.push(`+${e.detail.node.idHex}`))
    a.kad.start()
    for (let t = 0; t < maxRevalidateWait && events.length === 0; t += 250) {
      await net.clock.advance(250)
    }
    expect(events).toEqual([`-${c.node.idHex}`, `+${r.node.idHex}`])
    expect(order(a)).toEqual([b.node.idHex, r.node.idHex])
    expect(a.kad.table.buckets[16]!.replacements).toHaveLength(0)
  })

  it('fetches the record when the pong announces a newer one and takes its endpoint', async () => {
    net = new FakeNetwork()
    const a = net.add()
    const b = peerAt256(a, '10.1.0.2')
    a.kad.table.add(b.node)
    b.transport.enrSeq = 7n
    b.transport.enr = Enr.create({
      privateKey: b.key,
      seq: 7n,
      ip: '10.1.0.2',
      udp: 30303,
      tcp: 30999,
    })
    a.kad.start()
    await net.clock.advance(maxRevalidateWait)
    const e = a.kad.table.entry(b.node.id)!
    expect(e.enr?.seq).toBe(7n)
    expect(e.node.tcp).toBe(30999)
  })
})

describe('refresh', () => {
  it('bootstraps at start: seeds and bootnodes, self lookup, random lookups', async () => {
    net = new FakeNetwork()
    const b = net.add()
    const c = net.add()
    const d = net.add()
    b.kad.table.add(c.node)
    c.kad.table.add(d.node)
    const seed = net.add()
    const a = net.add({ bootnodes: [b.node] })
    a.kad.db.updateNode({ node: seed.node, lastSeen: net.clock.now() })
    a.kad.db.updateLastPongReceived(seed.node.id, seed.node.ip, net.clock.now())
    a.kad.start()
    await a.kad.refresh()
    await a.kad.settle()
    const known = new Set(a.kad.table.nodes().map((n) => n.idHex))
    expect(known).toEqual(new Set([b, c, d, seed].map((p) => p.node.idHex)))
  })

  it('runs every 30 minutes and whenever the table becomes empty', async () => {
    net = new FakeNetwork()
    const b = net.add()
    const a = net.add({ bootnodes: [b.node] })
    a.kad.start()
    await a.kad.refresh()
    // self lookup + 3 random lookups, one findnode each to b
    expect(net.findnodes).toBe(4)
    await net.clock.advance(tableDefaults.refreshIntervalMs - 1)
    expect(net.findnodes).toBe(4)
    await net.clock.advance(1)
    expect(net.findnodes).toBe(8)
    // Emptying the table starts a refresh at once (the bootnode is back in it immediately).
    a.kad.table.delete(b.node.id)
    await a.kad.refresh()
    expect(net.findnodes).toBe(12)
    expect(a.kad.table.has(b.node.id)).toBe(true)
  })
})

describe('copy of live nodes to the DB', () => {
  it('stores nodes in the table for 5 minutes that answered revalidation, every 30 s', async () => {
    net = new FakeNetwork()
    const b = net.add()
    const a = net.add()
    a.kad.table.add(b.node)
    const addedAt = net.clock.now()
    a.kad.start()
    const stored = (id: NodeId) => a.kad.db.node(id)
    await net.clock.advance(tableDefaults.seedMinTableTimeMs - 1)
    expect(stored(b.node.id)).toBeUndefined()
    await net.clock.advance(tableDefaults.copyNodesIntervalMs)
    // Copied at the first 30 s tick at which it had been in the table for 5 minutes.
    expect(stored(b.node.id)?.lastSeen).toBe(addedAt + tableDefaults.seedMinTableTimeMs)
  })

  it('takes the minimum table time as an option (seedMinTableTimeMs)', async () => {
    net = new FakeNetwork()
    const b = net.add()
    const a = net.add({ maintenance: { seedMinTableTimeMs: 60_000 } })
    a.kad.table.add(b.node)
    const addedAt = net.clock.now()
    a.kad.start()
    await net.clock.advance(60_000 - 1)
    expect(a.kad.db.node(b.node.id)).toBeUndefined()
    await net.clock.advance(tableDefaults.copyNodesIntervalMs)
    expect(a.kad.db.node(b.node.id)?.lastSeen).toBe(addedAt + 60_000)
  })
})

describe('DB expiry', () => {
  it('deletes DB records unseen for 24 h every hour, keeping live table nodes', async () => {
    net = new FakeNetwork()
    const b = net.add()
    const old = net.add()
    net.dead.add(old.node.idHex)
    const a = net.add()
    a.kad.table.add(b.node)
    a.kad.db.updateNode({ node: old.node, lastSeen: net.clock.now() - 23 * 3600_000 })
    a.kad.start()
    await net.clock.advance(tableDefaults.dbExpireIntervalMs)
    expect(a.kad.db.node(old.node.id)).toBeDefined()
    await net.clock.advance(tableDefaults.dbExpireIntervalMs)
    expect(a.kad.db.node(old.node.id)).toBeUndefined()
    expect(a.kad.db.node(b.node.id)).toBeDefined()
  })

  it('never expires at start: the first sweep runs an hour after start', async () => {
    net = new FakeNetwork()
    const a = net.add()
    const gone = net.add()
    net.dead.add(gone.node.idHex)
    const long = net.clock.now() - 3 * 24 * 3600_000
    a.kad.db.updateNode({ node: gone.node, lastSeen: long })
    a.kad.db.updateLastPongReceived(gone.node.id, gone.node.ip, long)
    a.kad.start()
    await net.clock.advance(tableDefaults.dbExpireIntervalMs - 1)
    expect(a.kad.db.node(gone.node.id)).toBeDefined()
    await net.clock.advance(1)
    expect(a.kad.db.node(gone.node.id)).toBeUndefined()
  })
})

describe('seeds by last Pong (go-ethereum seedMaxAge, 5 days)', () => {
  /** Peers `a` knew: each stored as a copy would, with a Pong `ageMs` ago. */
  function remember(a: FakePeer, peers: FakePeer[], ageMs: number): void {
    const t = net.clock.now() - ageMs
    for (const p of peers) {
      a.kad.db.updateNode({ node: p.node, lastSeen: t })
      a.kad.db.updateLastPongReceived(p.node.id, p.node.ip, t)
    }
  }

  it('a node that was off for a day rejoins from its DB, without bootnodes', async () => {
    net = new FakeNetwork()
    const peers = [net.add(), net.add(), net.add()]
    const a = net.add()
    remember(a, peers, 25 * 3600_000)
    a.kad.start()
    await a.kad.refresh()
    await a.kad.settle()
    for (const p of peers) expect(a.kad.table.has(p.node.id)).toBe(true)
    // Proven alive again, they survive the sweeps that follow.
    await net.clock.advance(2 * tableDefaults.dbExpireIntervalMs)
    for (const p of peers) expect(a.kad.db.node(p.node.id)).toBeDefined()
  })

  it('takes seeds answered up to 5 days ago, not older ones', async () => {
    net = new FakeNetwork()
    const recent = [net.add(), net.add()]
    const ancient = [net.add(), net.add()]
    const a = net.add()
    remember(a, recent, tableDefaults.seedMaxAgeMs - 60_000)
    remember(a, ancient, tableDefaults.seedMaxAgeMs + 60_000)
    a.kad.start()
    await a.kad.refresh()
    await a.kad.settle()
    for (const p of recent) expect(a.kad.table.has(p.node.id)).toBe(true)
    for (const p of ancient) expect(a.kad.table.has(p.node.id)).toBe(false)
  })
})

describe('copy of live nodes: only proven ones', () => {
  it('does not copy a node that never answered a revalidation ping', async () => {
    net = new FakeNetwork()
    const b = net.add()
    const a = net.add({ maintenance: { revalidateIntervalMs: 3600_000 } })
    a.kad.table.add(b.node)
    a.kad.start()
    await net.clock.advance(10 * 60_000)
    expect(a.kad.db.node(b.node.id)).toBeUndefined()
  })
})

describe('stop', () => {
  it('leaves no timer behind and is idempotent', async () => {
    net = new FakeNetwork()
    const b = net.add()
    const a = net.add({ bootnodes: [b.node] })
    a.kad.start()
    await net.clock.advance(60_000)
    expect(net.clock.pending).toBeGreaterThan(0)
    await a.kad.stop()
    await a.kad.stop()
    expect(net.clock.pending).toBe(0)
    expect(() => a.kad.start()).toThrow()
  })
})

import { describe, expect, it } from 'vitest'
import { generatePrivateKey, MemoryNodeDB, Node, nodeIdFromPrivateKey } from '../../src/index.js'

const mkNode = (ip = '10.0.0.1') =>
  new Node({ id: nodeIdFromPrivateKey(generatePrivateKey()), ip, udp: 30303, tcp: 30303 })

describe('MemoryNodeDB', () => {
  it('keeps bond state per (node ID, IP)', () => {
    const db = new MemoryNodeDB()
    const n = mkNode()
    db.updateLastPongReceived(n.id, '10.0.0.1', 1000)
    db.updateLastPingReceived(n.id, '10.0.0.1', 900)
    db.updateFindFails(n.id, '10.0.0.1', 2)
    expect(db.lastPongReceived(n.id, '10.0.0.1')).toBe(1000)
    expect(db.lastPingReceived(n.id, '10.0.0.1')).toBe(900)
    expect(db.findFails(n.id, '10.0.0.1')).toBe(2)
    expect(db.lastPongReceived(n.id, '10.0.0.2')).toBe(0)
    expect(db.findFails(n.id, '10.0.0.2')).toBe(0)
  })

  it('stores nodes, deletes them with their bond state', () => {
    const db = new MemoryNodeDB()
    const n = mkNode()
    db.updateNode({ node: n, lastSeen: 5 })
    db.updateLastPongReceived(n.id, n.ip, 5)
    expect(db.node(n.id)?.node.equals(n)).toBe(true)
    // Read just before the delete (the last state found is remembered): the delete drops it.
    expect(db.lastPongReceived(n.id, n.ip)).toBe(5)
    db.deleteNode(n.id)
    expect(db.node(n.id)).toBeUndefined()
    expect(db.lastPongReceived(n.id, n.ip)).toBe(0)
    expect(db.size).toBe(0)
  })

  it('querySeeds returns a random sample of nodes with a recent Pong only, never more than asked', () => {
    let seed = 1
    const random = () => {
      seed = (seed * 16807) % 2147483647
      return (seed - 1) / 2147483646
    }
    const db = new MemoryNodeDB({ random })
    const fresh = Array.from({ length: 20 }, () => mkNode())
    const stale = Array.from({ length: 5 }, () => mkNode())
    for (const n of fresh) db.updateNode({ node: n, lastSeen: 10 })
    for (const n of fresh) db.updateLastPongReceived(n.id, n.ip, 1000)
    for (const n of stale) db.updateNode({ node: n, lastSeen: 1000 })
    for (const n of stale) db.updateLastPongReceived(n.id, n.ip, 10)
    // A Pong from another IP than the record's does not count (go-ethereum's QuerySeeds).
    const moved = mkNode()
    db.updateNode({ node: moved, lastSeen: 1000 })
    db.updateLastPongReceived(moved.id, '10.9.9.9', 1000)
    const seeds = db.querySeeds(8, 100, 1050)
    expect(seeds).toHaveLength(8)
    expect(new Set(seeds.map((s) => s.idHex)).size).toBe(8)
    const freshIds = new Set(fresh.map((n) => n.idHex))
    expect(seeds.every((s) => freshIds.has(s.idHex))).toBe(true)
    expect(db.querySeeds(100, 100, 1050)).toHaveLength(20)
  })

  it('expires nodes neither written nor heard from since a time, and old endpoint state', () => {
    const db = new MemoryNodeDB()
    const [a, b, c] = [mkNode(), mkNode(), mkNode()]
    db.updateNode({ node: a, lastSeen: 10 })
    db.updateNode({ node: b, lastSeen: 100 })
    db.updateNode({ node: c, lastSeen: 10 })
    db.updateLastPongReceived(c.id, c.ip, 60)
    db.updateLastPingReceived(c.id, '10.7.7.7', 20)
    expect(db.expireNodes(50)).toBe(1)
    expect(db.size).toBe(2)
    expect(db.node(a.id)).toBeUndefined()
    expect(db.lastPongReceived(c.id, c.ip)).toBe(60)
    expect(db.lastPingReceived(c.id, '10.7.7.7')).toBe(0)
  })

  it('is bounded: evicts the least recently updated node beyond maxNodes', () => {
    const db = new MemoryNodeDB({ maxNodes: 3 })
    const nodes = Array.from({ length: 4 }, () => mkNode())
    for (const [i, node] of nodes.entries()) db.updateNode({ node, lastSeen: i })
    expect(db.size).toBe(3)
    expect(db.node(nodes[0]!.id)).toBeUndefined()
    expect(db.node(nodes[3]!.id)).toBeDefined()
  })

  it('tracks at most 4 IPs per node', () => {
    const db = new MemoryNodeDB()
    const n = mkNode()
    for (let i = 1; i <= 6; i++) {
      db.updateLastPongReceived(n.id, `10.0.0.${i}`, i)
      expect(db.lastPongReceived(n.id, '10.0.0.1')).toBe(i <= 4 ? 1 : 0)
    }
    expect(db.lastPongReceived(n.id, '10.0.0.1')).toBe(0)
    db.updateLastPongReceived(n.id, '10.0.0.1', 7)
    expect(db.lastPongReceived(n.id, '10.0.0.1')).toBe(7)
    expect(db.lastPongReceived(n.id, '10.0.0.6')).toBe(6)
  })

  it('bounds the endpoint state of nodes without a record (2 × maxNodes), keeping the newest', () => {
    const db = new MemoryNodeDB({ maxNodes: 2 })
    const nodes = Array.from({ length: 10 }, () => mkNode())
    db.updateNode({ node: nodes[0]!, lastSeen: 1 })
    for (const [i, n] of nodes.entries()) db.updateLastPongReceived(n.id, n.ip, i + 1)
    const kept = nodes.filter((n) => db.lastPongReceived(n.id, n.ip) > 0)
    expect(kept.length).toBeLessThanOrEqual(4)
    // A node with a record keeps its state; the newest state is always kept.
    expect(db.lastPongReceived(nodes[0]!.id, nodes[0]!.ip)).toBe(1)
    expect(db.lastPongReceived(nodes[9]!.id, nodes[9]!.ip)).toBe(10)
  })
})

import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { distcmp, type Node, nodeIdHash } from '../../src/index.js'
import { closestLinear, NodesByDistance } from '../../src/table/closest.js'
import { Table } from '../../src/table/table.js'
import { nodeAtDistance, randomNode, seededRandom } from './helpers.js'

/** Brute force: every node sorted by XOR distance to `target`. */
function reference(nodes: Node[], target: Uint8Array, n: number): string[] {
  return [...nodes]
    .sort((a, b) => distcmp(target, a.hash, b.hash))
    .slice(0, n)
    .map((x) => x.idHex)
}

/** A table filled with nodes at a mix of distances (many far, a few near, as in real tables). */
function filledTable(seed: number, count: number): Table {
  const rand = seededRandom(seed)
  const self = randomNode('10.0.0.254')
  const table = new Table({ self, random: rand })
  for (let i = 0; i < count; i++) {
    // Distances 256 down to 200, weighted towards far buckets like random IDs are.
    const d = 256 - Math.min(56, Math.floor(-Math.log2(1 - rand())))
    table.add(nodeAtDistance(self.hash, d, `10.${i >> 8}.${i & 0xff}.1`))
  }
  return table
}

describe('closest', () => {
  it('matches a brute-force sort on random tables and targets', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const table = filledTable(seed, 50 + seed * 10)
      const nodes = table.nodes()
      for (let k = 0; k < 10; k++) {
        // Random targets, and targets next to our own hash (the self lookup).
        const target =
          k % 3 === 0
            ? nodeAtDistance(table.self.hash, 250 - k).hash
            : new Uint8Array(randomBytes(32))
        for (const n of [1, 5, 16, 300]) {
          const got = table.closestToHash(target, n).map((x) => x.idHex)
          expect(got).toEqual(reference(nodes, target, n))
          expect(got).toEqual(closestLinear(table.buckets, target, n).map((x) => x.idHex))
        }
      }
    }
  })

  it('measures distance to keccak256 of a node ID target', () => {
    const table = filledTable(99, 200)
    const id = randomNode().id
    expect(table.closest(id, 16).map((x) => x.idHex)).toEqual(
      reference(table.nodes(), nodeIdHash(id), 16),
    )
  })

  it('returns fewer when the table holds fewer, and nothing for n = 0', () => {
    const table = filledTable(3, 5)
    expect(table.closest(randomNode().id, 16)).toHaveLength(5)
    expect(table.closest(randomNode().id, 0)).toEqual([])
  })
})

describe('NodesByDistance', () => {
  it('keeps the max closest in order, whatever the push order', () => {
    const target = new Uint8Array(randomBytes(32))
    const nodes = Array.from({ length: 100 }, () => randomNode())
    const set = new NodesByDistance(target, 16)
    for (const n of nodes) set.push(n)
    expect(set.entries.map((x) => x.idHex)).toEqual(reference(nodes, target, 16))
    expect(set.full).toBe(true)
    expect(set.has(set.entries[3]!.idHex)).toBe(true)
  })

  it('orders nodes that share the first 4 bytes of distance', () => {
    const target = new Uint8Array(32)
    const nodes = Array.from({ length: 40 }, () => {
      const n = randomNode()
      const h = new Uint8Array(randomBytes(32))
      h.fill(0, 0, 4)
      h[4] = h[4]! & 0x0f
      Object.defineProperty(n, 'hash', { value: h })
      return n
    })
    const set = new NodesByDistance(target, 10)
    for (const n of nodes) set.push(n)
    expect(set.entries.map((x) => x.idHex)).toEqual(reference(nodes, target, 10))
  })
})

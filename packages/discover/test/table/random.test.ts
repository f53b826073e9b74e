import { describe, expect, it } from 'vitest'
import { Table } from '../../src/table/table.js'
import { nodeAtDistance, randomNode, seededRandom } from './helpers.js'

function tableWith(sizes: Record<number, number>, seed = 1): Table {
  const self = randomNode('10.0.0.254')
  const table = new Table({ self, random: seededRandom(seed) })
  for (const [d, count] of Object.entries(sizes)) {
    for (let i = 0; i < count; i++) table.add(nodeAtDistance(self.hash, Number(d)))
  }
  return table
}

describe('readRandomNodes', () => {
  it('never returns a node twice and returns all when asked for more', () => {
    for (let seed = 1; seed <= 10; seed++) {
      const table = tableWith({ 256: 16, 255: 9, 254: 3, 250: 1, 230: 2 }, seed)
      for (const n of [0, 1, 5, 17, 31, 100]) {
        const got = table.readRandomNodes(n)
        expect(got).toHaveLength(Math.min(n, 31))
        expect(new Set(got.map((x) => x.idHex)).size).toBe(got.length)
        for (const x of got) expect(table.has(x.id)).toBe(true)
      }
    }
  })

  it('takes bucket heads round-robin before second entries', () => {
    const table = tableWith({ 256: 5, 255: 5, 254: 5 })
    const heads = new Set([16, 15, 14].map((i) => table.buckets[i]!.entries[0]!.node.idHex))
    const got = table.readRandomNodes(3).map((x) => x.idHex)
    expect(new Set(got)).toEqual(heads)
  })

  it('shuffles the buckets', () => {
    const table = tableWith({ 256: 2, 255: 2, 254: 2, 253: 2 })
    const firsts = new Set<string>()
    for (let i = 0; i < 40; i++) firsts.add(table.readRandomNodes(1)[0]!.idHex)
    expect(firsts.size).toBeGreaterThan(1)
  })

  it('returns nothing from an empty table', () => {
    expect(tableWith({}).readRandomNodes(10)).toEqual([])
  })
})

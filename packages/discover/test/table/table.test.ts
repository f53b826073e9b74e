import { ManualClock } from '@x/core/testing'
import { describe, expect, it } from 'vitest'
import { logdist, type Node } from '../../src/index.js'
import { Table } from '../../src/table/table.js'
import { nodeAtDistance, randomNode } from './helpers.js'

function makeTable(options: Partial<ConstructorParameters<typeof Table>[0]> = {}) {
  const self = randomNode('10.0.0.254')
  const clock = new ManualClock()
  return { table: new Table({ self, clock, ...options }), self, clock }
}

describe('Table buckets', () => {
  it('puts a node in bucket max(0, d - 240)', () => {
    const { table, self } = makeTable()
    for (const [d, want] of [
      [256, 16],
      [255, 15],
      [241, 1],
      [240, 0],
      [200, 0],
      [1, 0],
    ] as const) {
      const n = nodeAtDistance(self.hash, d)
      expect(logdist(self.hash, n.hash)).toBe(d)
      expect(table.bucketOf(n.hash).index).toBe(want)
      expect(table.add(n)).toBe('added')
      expect(table.buckets[want]!.entries.at(-1)!.node).toBe(n)
    }
    expect(table.size).toBe(6)
  })

  it('never adds itself', () => {
    const { table, self } = makeTable()
    expect(table.add(self)).toBe('rejected')
    expect(table.size).toBe(0)
  })

  it('appends while there is room, then keeps 10 replacements, most recent first', () => {
    const { table, self } = makeTable()
    const nodes = Array.from({ length: 30 }, () => nodeAtDistance(self.hash, 256))
    const added: Node[] = []
    table.addEventListener('node:added', (e) => added.push(e.detail.node))
    expect(nodes.map((n) => table.add(n))).toEqual([
      ...Array(16).fill('added'),
      ...Array(14).fill('replacement'),
    ])
    const b = table.buckets[16]!
    expect(b.entries.map((e) => e.node)).toEqual(nodes.slice(0, 16))
    expect(added).toEqual(nodes.slice(0, 16))
    expect(b.replacements.map((e) => e.node)).toEqual(nodes.slice(20).reverse())
  })

  it('bumps a present node to the front and takes its new endpoint', () => {
    const { table, self } = makeTable()
    const nodes = Array.from({ length: 3 }, () => nodeAtDistance(self.hash, 255))
    for (const n of nodes) table.add(n)
    const moved = nodes[2]!.withEndpoint({ udp: 5555 })
    Object.defineProperty(moved, 'hash', { value: nodes[2]!.hash })
    expect(table.add(moved)).toBe('bumped')
    expect(table.buckets[15]!.entries.map((e) => e.node.idHex)).toEqual(
      [nodes[2]!, nodes[0]!, nodes[1]!].map((n) => n.idHex),
    )
    expect(table.get(moved.id)!.udp).toBe(5555)
    expect(table.bump(nodes[1]!.id)).toBe(true)
    expect(table.buckets[15]!.entries[0]!.node.idHex).toBe(nodes[1]!.idHex)
    expect(table.bump(randomNode().id)).toBe(false)
  })

  it('delete removes entries and emits node:removed; replace promotes a replacement', () => {
    const { table, self } = makeTable()
    const nodes = Array.from({ length: 18 }, () => nodeAtDistance(self.hash, 256))
    for (const n of nodes) table.add(n)
    const removed: Node[] = []
    table.addEventListener('node:removed', (e) => removed.push(e.detail.node))
    expect(table.delete(nodes[0]!.id)).toBe(true)
    expect(table.delete(nodes[0]!.id)).toBe(false)
    expect(removed).toEqual([nodes[0]])
    expect(table.size).toBe(15)
    const taken = table.replace(nodes[1]!.id)
    expect([nodes[16]!.idHex, nodes[17]!.idHex]).toContain(taken!.idHex)
    expect(table.size).toBe(15)
    expect(table.buckets[16]!.replacements).toHaveLength(1)
    expect(table.has(taken!.id)).toBe(true)
    // A replacement may be deleted too; a later add of it goes to the entries.
    const last = table.buckets[16]!.replacements[0]!.node
    table.delete(last.idHex)
    expect(table.buckets[16]!.replacements).toHaveLength(0)
    expect(table.add(last)).toBe('added')
  })

  it('promotes a replacement candidate to the entries when room appears', () => {
    const { table, self } = makeTable()
    const nodes = Array.from({ length: 17 }, () => nodeAtDistance(self.hash, 256))
    for (const n of nodes) table.add(n)
    expect(table.addReplacement(nodes[16]!)).toBe(false)
    table.delete(nodes[0]!.id)
    expect(table.add(nodes[16]!)).toBe('added')
    expect(table.buckets[16]!.replacements).toHaveLength(0)
    expect(table.addReplacement(nodes[16]!)).toBe(false)
  })

  it('records when a node was added', async () => {
    const { table, self, clock } = makeTable()
    await clock.advance(1234)
    const n = nodeAtDistance(self.hash, 250)
    table.add(n)
    expect(table.entry(n.id)!.addedAt).toBe(clock.now())
    expect(table.fill()[10]).toBe(1)
    expect(table.nodes()).toEqual([n])
  })
})

describe('Table IP limits', () => {
  it('allows 2 nodes per /24 per bucket and 10 per table', () => {
    const { table, self } = makeTable()
    const ip = (i: number) => `1.2.3.${i}`
    // Bucket 16: the third node of 1.2.3.0/24 is refused, also as a replacement.
    expect(table.add(nodeAtDistance(self.hash, 256, ip(1)))).toBe('added')
    expect(table.add(nodeAtDistance(self.hash, 256, ip(2)))).toBe('added')
    expect(table.add(nodeAtDistance(self.hash, 256, ip(3)))).toBe('rejected')
    expect(table.add(nodeAtDistance(self.hash, 256, '1.2.4.1'))).toBe('added')
    // Other buckets take 2 each until the table holds 10 from the subnet.
    let added = 2
    for (let d = 255; d > 240; d--) {
      for (let k = 0; k < 2; k++) {
        const r = table.add(nodeAtDistance(self.hash, d, ip(d)))
        if (r === 'added') added++
      }
    }
    expect(added).toBe(10)
    expect(table.size).toBe(11)
  })

  it('frees the slot of a deleted node', () => {
    const { table, self } = makeTable()
    const a = nodeAtDistance(self.hash, 256, '1.2.3.1')
    table.add(a)
    table.add(nodeAtDistance(self.hash, 256, '1.2.3.2'))
    const c = nodeAtDistance(self.hash, 256, '1.2.3.3')
    expect(table.add(c)).toBe('rejected')
    table.delete(a.id)
    expect(table.add(c)).toBe('added')
  })

  it('exempts LAN and loopback addresses unless told to enforce', () => {
    const lax = makeTable()
    for (let i = 1; i <= 5; i++) {
      expect(lax.table.add(nodeAtDistance(lax.self.hash, 256, `127.0.0.${i}`))).toBe('added')
    }
    const strict = makeTable({ ipLimits: { exemptLan: false } })
    const r = [1, 2, 3].map((i) =>
      strict.table.add(nodeAtDistance(strict.self.hash, 256, `127.0.0.${i}`)),
    )
    expect(r).toEqual(['added', 'added', 'rejected'])
  })

  it('counts replacements against the limits', () => {
    const { table, self } = makeTable()
    for (let i = 0; i < 16; i++) table.add(nodeAtDistance(self.hash, 256, `5.5.${i}.1`))
    expect(table.addReplacement(nodeAtDistance(self.hash, 256, '9.9.9.1'))).toBe(true)
    expect(table.addReplacement(nodeAtDistance(self.hash, 256, '9.9.9.2'))).toBe(true)
    expect(table.addReplacement(nodeAtDistance(self.hash, 256, '9.9.9.3'))).toBe(false)
  })

  it('keeps the old endpoint when the new IP is over the limit', () => {
    const { table, self } = makeTable()
    table.add(nodeAtDistance(self.hash, 256, '1.2.3.1'))
    table.add(nodeAtDistance(self.hash, 256, '1.2.3.2'))
    const n = nodeAtDistance(self.hash, 256, '8.8.8.8')
    table.add(n)
    const moved = n.withEndpoint({ ip: '1.2.3.3' })
    Object.defineProperty(moved, 'hash', { value: n.hash })
    expect(table.add(moved)).toBe('bumped')
    expect(table.get(n.id)!.ip).toBe('8.8.8.8')
  })
})

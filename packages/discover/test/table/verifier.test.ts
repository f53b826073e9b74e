import { noopLogger, TimeoutError } from '@x/core'
import { ManualClock } from '@x/core/testing'
import { describe, expect, it } from 'vitest'
import { type DiscoveryTransport, MemoryNodeDB, type Node } from '../../src/index.js'
import { Table } from '../../src/table/table.js'
import { NodeVerifier } from '../../src/table/verifier.js'
import { randomNode } from './helpers.js'

const hour = 3600_000

/** A verifier over a transport whose pings answer for the nodes in `alive` (and count). */
function setup(options: { bonds?: boolean } = {}) {
  const clock = new ManualClock()
  const db = new MemoryNodeDB()
  const self = randomNode('10.0.0.254')
  const table = new Table({ self, clock })
  const alive = new Set<string>()
  const pinged: Node[] = []
  const transport: DiscoveryTransport = {
    self,
    async ping(node) {
      pinged.push(node)
      if (!alive.has(node.idHex)) throw new TimeoutError(`no pong from ${node}`)
      db.updateLastPongReceived(node.id, node.ip, clock.now())
      return {}
    },
    findnode: async () => [],
  }
  const verifier = new NodeVerifier(
    table,
    transport,
    noopLogger,
    undefined,
    options.bonds === false ? undefined : { db, clock },
  )
  return { clock, db, table, alive, pinged, verifier }
}

describe('NodeVerifier', () => {
  it('pings a node never bonded, and adds it when it answers', async () => {
    const { table, alive, pinged, verifier } = setup()
    const n = randomNode('10.1.0.1')
    const dead = randomNode('10.1.0.2')
    alive.add(n.idHex)
    expect(await verifier.verify(n)).toBe(true)
    expect(await verifier.verify(dead)).toBe(false)
    expect(pinged).toEqual([n, dead])
    expect(table.has(n.idHex)).toBe(true)
    expect(table.has(dead.idHex)).toBe(false)
  })

  it('does not ping again a node whose endpoint proof is still valid (go-ethereum bond)', async () => {
    const { clock, db, table, pinged, verifier } = setup()
    const n = randomNode('10.1.0.1')
    db.updateLastPongReceived(n.id, n.ip, clock.now())
    await clock.advance(23 * hour)
    expect(await verifier.verify(n)).toBe(true)
    expect(pinged).toEqual([])
    expect(table.has(n.idHex)).toBe(true)
  })

  it('pings again once the bond expired (24 h), after FindNode failures, or from another IP', async () => {
    const { clock, db, pinged, verifier } = setup()
    const expired = randomNode('10.1.0.1')
    const failing = randomNode('10.1.0.2')
    const moved = randomNode('10.1.0.3')
    db.updateLastPongReceived(expired.id, expired.ip, clock.now())
    await clock.advance(24 * hour + 1)
    db.updateLastPongReceived(failing.id, failing.ip, clock.now())
    db.updateFindFails(failing.id, failing.ip, 1)
    db.updateLastPongReceived(moved.id, '10.2.0.3', clock.now())
    await Promise.all([verifier.verify(expired), verifier.verify(failing), verifier.verify(moved)])
    expect(pinged).toEqual([expired, failing, moved])
  })

  it('always pings without a bond state', async () => {
    const { clock, db, pinged, verifier } = setup({ bonds: false })
    const n = randomNode('10.1.0.1')
    db.updateLastPongReceived(n.id, n.ip, clock.now())
    await verifier.verify(n)
    expect(pinged).toEqual([n])
  })
})

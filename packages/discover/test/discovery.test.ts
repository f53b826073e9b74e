import { started } from '@x/core'
import { ManualClock } from '@x/core/testing'
import { afterEach, describe, expect, it } from 'vitest'
import {
  Discovery,
  type DiscoveryOptions,
  formatEnode,
  generatePrivateKey,
  type Kademlia,
  MemoryNodeDB,
  type Node,
  type NodeId,
} from '../src/index.js'
import { MemoryNetwork } from '../src/testing/index.js'

// The Discovery facade on the in-memory network, in virtual time.

let clock: ManualClock
let net: MemoryNetwork
const running: Discovery[] = []

afterEach(async () => {
  await Promise.all(running.splice(0).map((d) => d.stop()))
  if (clock) expect(clock.pending).toBe(0)
})

async function start(options: Partial<DiscoveryOptions> = {}): Promise<Discovery> {
  const p = started(
    new Discovery({
      privateKey: generatePrivateKey(),
      transport: net.bind(),
      clock,
      ntp: false,
      ...options,
    }),
  )
  // Bonding waits on the clock for ping-backs: move time while start() runs.
  await clock.advance(2000)
  const d = await p
  running.push(d)
  return d
}

/** Lets refreshes (500 ms response timeouts on the virtual clock) run to completion. */
async function settle(...ds: Discovery[]): Promise<void> {
  const done = Promise.all(ds.map((d) => d.refresh()))
  await clock.advance(10_000)
  await done
}

describe('Discovery (in memory)', () => {
  it("runs the seeds' 3-node scenario: node 3 finds node 2 by lookup", async () => {
    clock = new ManualClock()
    net = new MemoryNetwork()
    const n1 = await start()
    const n2 = await start({ bootnodes: [formatEnode(n1.self)] })
    const n3 = await start({ bootnodes: [n1.udp.enr.toText()] })
    await settle(n2, n3)
    expect(n1.table.has(n2.self.idHex)).toBe(true)
    expect(n1.table.has(n3.self.idHex)).toBe(true)
    // Node 3 asks the network for node 2.
    n3.table.delete(n2.self.idHex)
    const lookup = n3.lookup(n2.self.id)
    await clock.advance(5000)
    const found = await lookup
    expect(found.map((n) => n.idHex)).toContain(n2.self.idHex)
    const resolving = n3.resolve(n2.self.id)
    await clock.advance(5000)
    expect((await resolving)?.udp).toBe(n2.self.udp)
  })

  it('reports stats: table size, bucket fill, bonded count', async () => {
    clock = new ManualClock()
    net = new MemoryNetwork()
    const n1 = await start()
    const n2 = await start({ bootnodes: [n1.self] })
    await settle(n2)
    const s = n2.stats()
    expect(s.tableSize).toBe(1)
    expect(s.buckets).toHaveLength(17)
    expect(s.buckets.reduce((a, b) => a + b, 0)).toBe(1)
    expect(s.bonded).toBe(1)
    expect(n1.stats().tableSize).toBe(1)
  })

  it('serves FindNode from the table', async () => {
    clock = new ManualClock()
    net = new MemoryNetwork()
    const n1 = await start()
    const others = []
    for (let i = 0; i < 5; i++) others.push(await start({ bootnodes: [n1.self] }))
    await settle(...others)
    const asked = others[0]!.udp.findnode(n1.self, others[1]!.self.id)
    await clock.advance(1000)
    const got = (await asked).map((n) => n.idHex)
    expect(got).toContain(others[1]!.self.idHex)
    expect(got.length).toBeGreaterThanOrEqual(4)
  })

  it('rejects a malformed bootnode before opening anything', async () => {
    clock = new ManualClock()
    net = new MemoryNetwork()
    expect(
      () => new Discovery({ privateKey: generatePrivateKey(), bootnodes: ['enode://nope'], clock }),
    ).toThrow(expect.objectContaining({ code: expect.stringMatching(/^ERR_ENODE/) }))
    expect(net.size).toBe(0)
  })

  it('stop() during start() (bootnodes still bonding) ends it: nothing left running', async () => {
    clock = new ManualClock()
    net = new MemoryNetwork()
    const n1 = await start()
    const db = new MemoryNodeDB()
    const d = new Discovery({
      privateKey: generatePrivateKey(),
      transport: net.bind(),
      clock,
      ntp: false,
      bootnodes: [n1.self],
      db,
    })
    const starting = d.start()
    expect(d.start()).toBe(starting)
    await d.stop()
    await starting
    expect(d.running).toBe(false)
    expect(db.closed).toBe(true)
  })

  it('stop() stops every timer and socket and closes the DB', async () => {
    clock = new ManualClock()
    net = new MemoryNetwork()
    const db = new MemoryNodeDB()
    const n1 = await start()
    const n2 = await start({ bootnodes: [n1.self], db })
    await clock.advance(60_000)
    expect(clock.pending).toBeGreaterThan(0)
    expect(n2.running).toBe(true)
    await n2.stop()
    await n2.stop()
    expect(n2.running).toBe(false)
    expect(db.closed).toBe(true)
    expect(net.size).toBe(1)
    await n1.stop()
    expect(net.size).toBe(0)
    expect(clock.pending).toBe(0)
  })
})

describe('Discovery as the dial scheduler sees it', () => {
  // A copy of @x/p2p's DialDiscovery (p2p depends on discover, not the other way round).
  interface DialDiscovery {
    readRandomNodes(n: number): Node[]
    randomNodes(options: { signal: AbortSignal }): AsyncIterableIterator<Node>
    resolve(id: NodeId, options: { signal: AbortSignal }): Promise<Node | undefined>
  }
  it('satisfies DialDiscovery (checked by the compiler)', () => {
    const asDial = (d: Discovery, k: Kademlia): DialDiscovery[] => [d, k]
    expect(typeof asDial).toBe('function')
  })
})

import { afterEach, describe, expect, it } from 'vitest'
import type { Node } from '../../src/index.js'
import { FakeNetwork } from './fake-network.js'

let net: FakeNetwork
afterEach(async () => {
  await net?.stopAll()
})

describe('randomNodes', () => {
  it('yields nodes found by random lookups until the signal aborts', async () => {
    net = new FakeNetwork()
    const boot = net.add()
    for (let i = 0; i < 30; i++) net.add({ bootnodes: [boot.node] })
    const peers = [...net.peers.values()]
    for (const p of peers) p.kad.start()
    for (const p of peers) await p.kad.refresh()
    const a = peers[7]!
    const ac = new AbortController()
    const got: Node[] = []
    for await (const n of a.kad.randomNodes({ signal: ac.signal })) {
      got.push(n)
      if (got.length === 40) ac.abort()
    }
    expect(got).toHaveLength(40)
    for (const n of got) expect(net.peers.has(n.idHex)).toBe(true)
    expect(got.some((n) => n.idHex === a.node.idHex)).toBe(false)
  })

  it('waits on the clock instead of spinning when nobody is known', async () => {
    net = new FakeNetwork()
    const a = net.add()
    const ac = new AbortController()
    const it = a.kad.randomNodes({ signal: ac.signal })
    const next = it.next()
    await net.clock.advance(0)
    expect(net.clock.pending).toBe(1)
    // Somebody shows up; after the idle delay the next lookup finds them.
    const b = net.add()
    a.kad.table.add(b.node)
    await net.clock.advance(1000)
    expect((await next).value?.idHex).toBe(b.node.idHex)
    ac.abort()
    expect((await it.next()).done).toBe(true)
    expect(net.clock.pending).toBe(0)
  })

  it('ends when the table stops', async () => {
    net = new FakeNetwork()
    const a = net.add()
    const it = a.kad.randomNodes({ signal: new AbortController().signal })
    const next = it.next()
    await net.clock.advance(0)
    await a.kad.stop()
    expect((await next).done).toBe(true)
    expect(net.clock.pending).toBe(0)
  })
})

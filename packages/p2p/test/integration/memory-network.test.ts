import { sleep, toHex } from '@x/core'
import { ManualClock } from '@x/core/testing'
import { type Node, Node as NodeClass } from '@x/discover'
import { seededRandom } from '@x/discover/testing'
import { afterEach, describe, expect, it } from 'vitest'
import type { DialDiscovery, Server } from '../../src/index.js'
import { MemoryNetwork } from '../../src/testing/index.js'
import { makeServer } from '../server/helpers.js'

/** A table that knows every node ever registered (dead ones too), with 200 ms lookups. */
function fakeTable(clock: ManualClock, all: Node[], self: () => Node, rand: () => number) {
  const pick = () => {
    const others = all.filter((n) => n.idHex !== self().idHex)
    return others[Math.floor(rand() * others.length)] as Node
  }
  const d: DialDiscovery = {
    readRandomNodes: (n) => Array.from({ length: Math.min(n, all.length - 1) }, pick),
    async *randomNodes({ signal }) {
      while (!signal.aborted) {
        await sleep(clock, 200, signal).catch(() => {})
        if (!signal.aborted) yield pick()
      }
    },
    resolve: async (id) => all.find((n) => n.idHex === toHex(id)),
  }
  return d
}

let clock: ManualClock
const servers: Server[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()))
  expect(clock.pending).toBe(0)
})

describe('10 servers on an in-memory network', () => {
  it('reach their dial target from discovery and redial after nodes die', async () => {
    clock = new ManualClock()
    const net = new MemoryNetwork({ now: () => clock.now() })
    const rand = seededRandom(7)
    const all: Node[] = []
    const maxPeers = 6 // dialRatio 3: each dials 2
    for (let i = 0; i < 10; i++) {
      const ip = `10.0.0.${i + 1}`
      let me: Node | undefined
      const s = makeServer(net, ip, clock, {
        maxPeers,
        discovery: fakeTable(clock, all, () => me as Node, rand),
      })
      servers.push(s)
      me = new NodeClass({ id: s.id, ip, udp: 30303, tcp: 30303 })
      all.push(me)
      await s.start()
    }
    // Each node's target: its 2 dialed peers (inbound ones come on top, up to maxPeers).
    const dialed = (s: Server) => s.peers().filter((p) => !p.inbound).length
    const settle = async (live: Server[]) => {
      for (let t = 0; t < 120 && !live.every((s) => dialed(s) >= 2); t++) {
        await clock.advance(1_000)
      }
      return live.map((s) => [dialed(s), s.peerCount()])
    }
    const counts = await settle(servers)
    expect(counts.every(([d, c]) => (d as number) >= 2 && (c as number) <= maxPeers)).toBe(true)

    const dead = servers.splice(0, 3)
    await Promise.all(dead.map((s) => s.stop()))
    for (const s of servers) {
      for (const p of s.peers())
        expect(dead.some((d) => d.id.every((b, i) => b === p.id[i]))).toBe(false)
    }
    const lost = servers.filter((s) => dialed(s) < 2).length
    expect(lost).toBeGreaterThan(0) // some lost a dialed peer: the rest of the test is a redial
    const after = await settle(servers)
    expect(after.every(([d, c]) => (d as number) >= 2 && (c as number) <= maxPeers)).toBe(true)
    // Simultaneous dials replace one link by another, never past the inbound slots.
    for (const s of servers) {
      expect(s.peers().filter((p) => p.inbound).length).toBeLessThanOrEqual(s.maxInboundConns)
    }
  })
})

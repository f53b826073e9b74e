import { ManualClock } from '@x/core/testing'
import { generatePrivateKey, Node } from '@x/discover'
import { DisconnectReason, Server } from '@x/p2p'
import { MemoryNetwork } from '@x/p2p/testing'
import { afterEach, describe, expect, it } from 'vitest'
import {
  checkNode,
  type HealthStateChange,
  NodeHealth,
  type NodeHealthOptions,
  networkDialer,
} from '../../src/index.js'

/** A node: a p2p server running ping/1 on the in-memory network, with health attached. */
interface TestNode {
  server: Server
  health: NodeHealth
  node: Node
}

const stops: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s()
})

async function startNode(
  net: MemoryNetwork,
  ip: string,
  clock: ManualClock,
  options: NodeHealthOptions = {},
  staticNodes: Node[] = [],
): Promise<TestNode> {
  const health = new NodeHealth({
    clock,
    pingInterval: 1_000,
    requireDiscovery: false,
    ...options,
  })
  const server = new Server({
    privateKey: generatePrivateKey(),
    network: net.host(ip),
    clock,
    listenAddress: { ip, port: 30303 },
    protocols: [health.ping],
    onMessage: health.liveness.messageEvent,
    staticNodes,
    noDiscovery: true,
  })
  health.attach(server)
  await server.start()
  await health.start()
  stops.push(async () => {
    await health.stop()
    await server.stop()
  })
  return { server, health, node: new Node({ id: server.id, ip, udp: 30303, tcp: 30303 }) }
}

async function until(clock: ManualClock, cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await clock.advance(10)
  if (!cond()) throw new Error(`timed out waiting for ${what}`)
}

describe('ping/1 between two servers', () => {
  it('measures RTT both ways and serves the peers over HTTP', async () => {
    const clock = new ManualClock()
    const net = new MemoryNetwork({ now: () => clock.now() })
    const a = await startNode(net, '10.0.0.1', clock, { http: { host: '127.0.0.1', port: 0 } })
    const b = await startNode(net, '10.0.0.2', clock, {}, [a.node])
    await until(clock, () => a.server.peerCount() === 1 && b.server.peerCount() === 1, 'peers')
    await clock.advance(3_000)

    const ab = a.health.tracker.get(idOf(b))
    expect(ab).toMatchObject({ state: 'healthy', rttSource: 'ping/1' })
    expect(ab!.rtt.samples).toBeGreaterThanOrEqual(3)
    expect(b.health.tracker.get(idOf(a))).toMatchObject({ state: 'healthy', rttSource: 'ping/1' })

    const { port } = a.health.http!.address!
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`)
    expect(ready.status).toBe(200)
    const peers = (await (await fetch(`http://127.0.0.1:${port}/health/peers`)).json()) as {
      peers: { id: string; address: { ip: string }; state: string; rtt: { samples: number } }[]
    }
    expect(peers.peers).toHaveLength(1)
    expect(peers.peers[0]).toMatchObject({ id: idOf(b), address: { ip: '10.0.0.2' } })
  })

  it('disconnects a peer that turns unhealthy through the server, when the policy is on', async () => {
    const clock = new ManualClock()
    const net = new MemoryNetwork({ now: () => clock.now() })
    const a = await startNode(net, '10.0.0.1', clock, {
      dropUnhealthy: true,
      thresholds: { unhealthyRtt: 2_000 },
    })
    const b = await startNode(net, '10.0.0.2', clock, {}, [a.node])
    await until(clock, () => a.server.peerCount() === 1, 'peer')
    const changes: HealthStateChange[] = []
    a.health.tracker.addEventListener('peer:state', (e) => changes.push(e.detail))
    const removed = new Promise<DisconnectReason>((resolve) =>
      a.server.addEventListener('peer:removed', (e) => resolve(e.detail.reason), { once: true }),
    )
    // In-memory RTTs are 0: feed samples as if b answered 3 s late until the EWMA passes
    // unhealthyRtt.
    const id = idOf(b)
    for (let i = 0; i < 20 && a.health.tracker.get(id)?.state !== 'unhealthy'; i++) {
      a.health.tracker.recordRtt(id, 3_000, 'ping/1')
    }
    expect(await removed).toBe(DisconnectReason.UselessPeer)
    expect(changes.at(-1)).toMatchObject({ state: 'unhealthy' })
  })

  it('the checker passes every step against our server', async () => {
    const clock = new ManualClock()
    const net = new MemoryNetwork({ now: () => clock.now() })
    const a = await startNode(net, '10.0.0.1', clock)
    const report = checkNode(a.node, {
      dial: networkDialer(net.host('10.0.0.9'), { clock }),
      clock,
      reach: async (node) => ({ ok: true, host: node.ip, port: node.tcp, connectTime: 0 }),
    })
    let done = false
    void report.finally(() => {
      done = true
    })
    await until(clock, () => done, 'report')
    const r = await report
    expect(r.steps.map((s) => [s.name, s.status])).toEqual([
      ['tcp', 'pass'],
      ['handshake', 'pass'],
      ['base-ping', 'pass'],
      ['ping/1', 'pass'],
    ])
    expect(r.ok).toBe(true)
    expect(r.remote!.caps).toEqual(['ping/1'])
  })
})

function idOf(n: TestNode): string {
  return n.node.idHex
}

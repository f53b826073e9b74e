import { formatEnode, generatePrivateKey, Node } from '@x/discover'
import { type Network, rlpx, Server, tcpNetwork } from '@x/p2p'
import { afterEach, describe, expect, it } from 'vitest'
import {
  type HealthStateChange,
  NodeHealth,
  rlpxCheckDialer,
  runCheckCli,
} from '../../src/index.js'

// Real sockets between two of our servers, over real RLPx (the production stack end to end).

const stops: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s()
})

async function startNode(network: Network, staticNodes: Node[] = []) {
  const health = new NodeHealth({
    http: { host: '127.0.0.1', port: 0 },
    pingInterval: 200,
    requireDiscovery: false,
  })
  const server = new Server({
    privateKey: generatePrivateKey(),
    network,
    listenAddress: { ip: '127.0.0.1', port: 0 },
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
  const port = server.listenAddress!.port
  return {
    server,
    health,
    node: new Node({ id: server.id, ip: '127.0.0.1', udp: port, tcp: port }),
  }
}

/** Resolves once `health` has `n` RTT samples of peer `id`. */
function samples(health: NodeHealth, id: string, n: number): Promise<void> {
  return new Promise((resolve) => {
    const onRtt = () => {
      if ((health.tracker.get(id)?.rtt.samples ?? 0) < n) return
      health.tracker.removeEventListener('peer:rtt', onRtt)
      resolve()
    }
    health.tracker.addEventListener('peer:rtt', onRtt)
  })
}

describe('over TCP', () => {
  it('two servers measure each other with ping/1 and serve it on /health/peers', async () => {
    const network = tcpNetwork(rlpx)
    const a = await startNode(network)
    const b = await startNode(network, [a.node])
    await Promise.all([samples(a.health, b.node.idHex, 2), samples(b.health, a.node.idHex, 2)])

    const { port } = a.health.http!.address!
    const res = await fetch(`http://127.0.0.1:${port}/health/peers`)
    const body = (await res.json()) as {
      peers: { id: string; state: string; rttSource: string; rtt: { samples: number } }[]
    }
    expect(body.peers).toHaveLength(1)
    expect(body.peers[0]).toMatchObject({ id: b.node.idHex, state: 'healthy', rttSource: 'ping/1' })
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200)
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200)
  })

  it('reports a peer whose link breaks (no Disconnect) before forgetting it', async () => {
    const a = await startNode(tcpNetwork(rlpx))
    const changes: HealthStateChange[] = []
    const reported = new Promise<void>((resolve) =>
      a.health.tracker.addEventListener('peer:state', (e) => {
        changes.push(e.detail)
        resolve()
      }),
    )
    const added = new Promise<void>((resolve) =>
      a.server.addEventListener('peer:added', () => resolve(), { once: true }),
    )
    // A bare RLPx session with ping/1 in its hello, then the socket is destroyed.
    const session = await rlpxCheckDialer({ clientId: 'breaker' })(a.node, {
      caps: [{ name: 'ping', version: 1 }],
      signal: new AbortController().signal,
      timeout: 5_000,
    })
    await added
    session.close()
    await reported
    expect(changes).toEqual([
      expect.objectContaining({
        previous: 'healthy',
        state: 'unhealthy',
        lastFailure: 'link-failed',
      }),
    ])
    await new Promise<void>((resolve) =>
      a.server.peerCount() === 0
        ? resolve()
        : a.server.addEventListener('peer:removed', () => resolve(), { once: true }),
    )
    expect(a.health.tracker.size).toBe(0)
  })

  it('the checker passes L4, handshake, base ping and ping/1 against a server', async () => {
    const network = tcpNetwork(rlpx)
    const a = await startNode(network)
    const out: string[] = []
    const code = await runCheckCli([formatEnode(a.node), '--json', '--timeout', '5000'], {
      dial: rlpxCheckDialer(),
      io: { out: (t) => out.push(t), err: (t) => out.push(t) },
    })
    const report = JSON.parse(out.join(''))
    expect(report.steps.map((s: { status: string }) => s.status)).toEqual([
      'pass',
      'pass',
      'pass',
      'pass',
    ])
    expect(report.remote.clientId).toMatch(/^x-devp2p/)
    expect(code).toBe(0)
  })
})

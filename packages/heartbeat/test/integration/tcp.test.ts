import { toHex, useFastCrypto } from '@x/core'
import { generatePrivateKey, nodeIdFromPrivateKey } from '@x/discover'
import { rlpx, Server, tcpNetwork } from '@x/p2p'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  AggregatorNode,
  type HeartbeatAlert,
  HeartbeatProtocol,
  HeartbeatService,
  type HistoryEntry,
  type NodeStatus,
} from '../../src/index.js'

// Real RLPx over TCP on 127.0.0.1: three senders, each with its own p2p Server, beat to one
// standalone aggregator every 200 ms. Time is real but short; the test awaits events.

const period = 200
const stops: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s()
})
beforeAll(async () => {
  await useFastCrypto()
})

const network = tcpNetwork(rlpx)

interface Sender {
  id: string
  stop(): Promise<void>
}

async function startSender(key: Uint8Array, target: string, nickname: string): Promise<Sender> {
  let height = 100
  const protocol = new HeartbeatProtocol()
  const server = new Server({
    privateKey: key,
    network,
    listenAddress: { ip: '127.0.0.1', port: 0 },
    protocols: [protocol],
    noDiscovery: true,
  })
  await server.start()
  const service = new HeartbeatService({
    beatTarget: target,
    beatPeriod: period,
    reconnectPeriod: period,
    nickname,
    headGetter: () => ({ hash: new Uint8Array(32).fill(height & 0xff), height: height++ }),
    peerCountGetter: () => server.peerCount(),
    nodeId: server.id,
    privateKey: key,
    network,
    protocol,
    listenPort: server.listenAddress?.port ?? 0,
  })
  await service.start()
  let stopped = false
  const stop = async () => {
    if (stopped) return
    stopped = true
    await service.stop()
    await server.stop()
  }
  stops.push(stop)
  return { id: toHex(nodeIdFromPrivateKey(key)), stop }
}

function nextAlert(
  agg: AggregatorNode,
  match: (a: HeartbeatAlert) => boolean,
): Promise<HeartbeatAlert> {
  return new Promise((resolve) => {
    const ac = new AbortController()
    agg.aggregator.addEventListener(
      'alert',
      (e) => {
        if (!match(e.detail)) return
        ac.abort()
        resolve(e.detail)
      },
      { signal: ac.signal },
    )
  })
}

function beatsFrom(agg: AggregatorNode, ids: string[]): Promise<void> {
  return new Promise((resolve) => {
    const ac = new AbortController()
    const seen = new Set<string>()
    const check = () => {
      for (const id of ids) if (agg.aggregator.node(id)) seen.add(id)
      if (seen.size < ids.length) return
      ac.abort()
      resolve()
    }
    agg.aggregator.addEventListener('beat', check, { signal: ac.signal })
    check()
  })
}

async function getJson<T>(agg: AggregatorNode, path: string): Promise<T> {
  const { port } = agg.http?.address ?? { port: 0 }
  const res = await fetch(`http://127.0.0.1:${port}${path}`)
  expect(res.status).toBe(200)
  return (await res.json()) as T
}

describe('heartbeats over RLPx/TCP', () => {
  it('three senders beat to one aggregator; a stopped one goes silent, a restarted one recovers', async () => {
    const agg = new AggregatorNode({
      privateKey: generatePrivateKey(),
      network,
      listen: { ip: '127.0.0.1', port: 0 },
      http: { host: '127.0.0.1', port: 0 },
      // Heights grow by one per beat: nodes restarting may lag a few blocks, not 1000.
      heightThreshold: 1_000,
    })
    await agg.start()
    stops.push(() => agg.stop())
    expect(agg.enode).toMatch(/^enode:\/\/[0-9a-f]{128}@127\.0\.0\.1:\d+$/)

    const keys = [generatePrivateKey(), generatePrivateKey(), generatePrivateKey()]
    const senders = await Promise.all(keys.map((k, i) => startSender(k, agg.enode, `node${i}`)))
    const ids = senders.map((s) => s.id)
    await beatsFrom(agg, ids)

    const listed = await getJson<{ nodes: NodeStatus[] }>(agg, '/nodes')
    expect(listed.nodes.map((n) => n.id).sort()).toEqual([...ids].sort())
    expect(listed.nodes.every((n) => n.connected)).toBe(true)

    // Stop node1: its silence alert fires 3 periods after its last beat.
    const victim = ids[1] as string
    const silent = nextAlert(agg, (a) => a.kind === 'silent' && a.nodeId === victim)
    await senders[1]?.stop()
    const lastSeen = agg.aggregator.node(victim)?.lastSeen ?? 0
    const alert = await silent
    expect(alert.nickname).toBe('node1')
    expect(alert.silentFor).toBeGreaterThanOrEqual(3 * period)
    expect(alert.at - lastSeen).toBeGreaterThanOrEqual(3 * period)
    // Generous bound: catches a wrong period count, not scheduler jitter.
    expect(alert.at - lastSeen).toBeLessThan(3 * period + 2_000)
    expect(agg.aggregator.node(victim)).toMatchObject({ state: 'silent', connected: false })

    // Restart it with the same key: a recovery alert follows its first beat.
    const recovered = nextAlert(agg, (a) => a.kind === 'recovered' && a.nodeId === victim)
    await startSender(keys[1] as Uint8Array, agg.enode, 'node1')
    expect(await recovered).toMatchObject({ from: 'silent', nickname: 'node1' })
    expect(agg.aggregator.node(victim)).toMatchObject({ state: 'ok', connected: true })

    const history = await getJson<{ id: string; history: HistoryEntry[] }>(
      agg,
      `/nodes/${victim}/history`,
    )
    expect(history.history.length).toBeGreaterThan(1)
    expect(history.history.every((h) => h.nodeId === victim)).toBe(true)
    const alerts = await getJson<{ alerts: HeartbeatAlert[] }>(agg, '/alerts')
    const mine = alerts.alerts.filter((a) => a.nodeId === victim).map((a) => a.kind)
    expect(mine.slice(-2)).toEqual(['silent', 'recovered'])
  })
})

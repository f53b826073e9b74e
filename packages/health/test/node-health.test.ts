import { type LogFields, type Logger, TypedEventTarget } from '@x/core'
import { ManualClock } from '@x/core/testing'
import { DisconnectReason, msgPipe, type Peer, type ServerEvents } from '@x/p2p'
import { afterEach, describe, expect, it } from 'vitest'
import { NodeHealth } from '../src/index.js'
import { fakePeer } from './fake-peer.js'

const running: NodeHealth[] = []
afterEach(async () => {
  for (const h of running.splice(0)) await h.stop()
})

describe('NodeHealth', () => {
  it('wires ping/1, liveness, the drop policy and the endpoints together', async () => {
    const clock = new ManualClock()
    const drops: [string, DisconnectReason][] = []
    const health = new NodeHealth({
      clock,
      readiness: { listening: true, discoveryRunning: true },
      http: { host: '127.0.0.1', port: 0 },
      dropUnhealthy: true,
      disconnect: (id, reason) => drops.push([id, reason]),
      pingInterval: 0,
    })
    running.push(health)
    await health.start()
    const { port } = health.http!.address!

    let res = await fetch(`http://127.0.0.1:${port}/readyz`)
    expect(res.status).toBe(503)

    const peer = fakePeer(9)
    const [local, remote] = msgPipe()
    health.liveness.peerAdded({ id: peer.idHex, address: peer.remoteAddress })
    const run = health.ping.run(peer, local, peer.signal)
    // The remote answers nothing: three timeouts make the peer unhealthy and it is dropped.
    for (let i = 0; i < 3; i++) {
      const p = health.ping.ping(peer.idHex).catch(() => {})
      await remote.readMsg()
      await clock.advance(5_000)
      await p
    }
    expect(drops).toEqual([[peer.idHex, DisconnectReason.ReadTimeout]])

    res = await fetch(`http://127.0.0.1:${port}/health/peers`)
    const body = (await res.json()) as { peers: { id: string; state: string }[] }
    expect(body.peers).toMatchObject([{ id: peer.idHex, state: 'unhealthy' }])
    res = await fetch(`http://127.0.0.1:${port}/readyz`)
    expect(res.status).toBe(200)

    peer.controller.abort()
    await run
    local.close()
    health.liveness.peerRemoved(peer.idHex)
    await health.stop()
    expect(clock.pending).toBe(0)
  })

  it('runs without HTTP', async () => {
    const health = new NodeHealth({ readiness: { listening: true } })
    running.push(health)
    await health.start()
    expect(health.http).toBeUndefined()
    expect(health.liveness.running).toBe(true)
  })

  it('takes readiness from the attached server and the node’s Discovery', async () => {
    const clock = new ManualClock()
    const health = new NodeHealth({ clock, minPeers: 1 })
    running.push(health)
    const events = new TypedEventTarget<ServerEvents>()
    const peers: Peer[] = []
    const server = Object.assign(events, {
      running: false,
      listenAddress: undefined as { ip: string; port: number } | undefined,
      peers: () => peers,
      peerCount: () => peers.length,
    })
    // Structurally @x/discover's Discovery: running while started.
    const discovery = {
      running: true,
      close: async () => {
        discovery.running = false
      },
    }
    health.attach(server, { discovery })
    await health.start()
    expect(health.readiness().reasons).toEqual(['not listening', 'fewer than minPeers (0 < 1)'])
    Object.assign(server, { running: true, listenAddress: { ip: '127.0.0.1', port: 30303 } })
    const peer = fakePeer(3) as unknown as Peer
    peers.push(peer)
    events.emit('peer:added', { peer })
    expect(health.readiness()).toEqual({ ready: true, reasons: [], peers: 1 })
    await discovery.close()
    expect(health.readiness().reasons).toEqual(['discovery not running'])
  })

  it('logs every peer state change while started', async () => {
    const lines: [string, string, LogFields | undefined][] = []
    const logger: Logger = {
      debug: () => {},
      info: (m, f) => lines.push(['info', m, f]),
      warn: (m, f) => lines.push(['warn', m, f]),
      error: (m, f) => lines.push(['error', m, f]),
      child: () => logger,
    }
    const health = new NodeHealth({ readiness: { listening: true }, logger })
    running.push(health)
    await health.start()
    const id = 'ab'.repeat(64)
    health.tracker.recordFailure(id, 'mismatch')
    health.tracker.recordFailure(id, 'write-failed')
    health.tracker.recordRtt(id, 10, 'ping/1')
    const changes = lines.filter((l) => l[1] === 'peer health changed')
    expect(changes).toEqual([
      [
        'info',
        'peer health changed',
        expect.objectContaining({
          previous: 'healthy',
          state: 'degraded',
          lastFailure: 'mismatch',
        }),
      ],
      [
        'warn',
        'peer health changed',
        expect.objectContaining({
          previous: 'degraded',
          state: 'unhealthy',
          reason: 'write failed',
        }),
      ],
      [
        'info',
        'peer health changed',
        expect.objectContaining({ peer: id.slice(0, 16), state: 'healthy' }),
      ],
    ])
    await health.stop()
    health.tracker.recordFailure(id, 'write-failed')
    expect(lines.filter((l) => l[1] === 'peer health changed')).toHaveLength(3)
  })
})

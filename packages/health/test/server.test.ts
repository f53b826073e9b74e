import { TypedEventTarget } from '@x/core'
import { ManualClock } from '@x/core/testing'
import type { Peer, ServerEvents } from '@x/p2p'
import { describe, expect, it } from 'vitest'
import {
  attachServer,
  type HealthStateChange,
  HealthTracker,
  LivenessMonitor,
  serverReadiness,
} from '../src/index.js'
import { DisconnectReason, fakePeer } from './fake-peer.js'

function setup() {
  const clock = new ManualClock()
  const tracker = new HealthTracker({ clock })
  const monitor = new LivenessMonitor({ tracker, clock })
  const server = new TypedEventTarget<ServerEvents>()
  const changes: HealthStateChange[] = []
  tracker.addEventListener('peer:state', (e) => changes.push(e.detail))
  const ac = new AbortController()
  attachServer(monitor, server, ac.signal)
  const peer = fakePeer(4) as unknown as Peer
  return { tracker, monitor, server, changes, peer, ac }
}

describe('attachServer', () => {
  it('tracks the server’s peers and forgets removed ones', () => {
    const { tracker, monitor, server, changes, peer } = setup()
    server.emit('peer:added', { peer })
    expect(tracker.get(peer.idHex)).toMatchObject({ clientId: 'fake/4', state: 'healthy' })
    expect(monitor.peers()).toHaveLength(1)
    server.emit('peer:removed', { peer, reason: DisconnectReason.ClientQuitting, remote: true })
    expect(tracker.has(peer.idHex)).toBe(false)
    expect(changes).toEqual([])
  })

  it('reports a peer the server ended for a failed link or silence before forgetting it', () => {
    for (const [reason, failure] of [
      [DisconnectReason.TcpError, 'link-failed'],
      [DisconnectReason.ReadTimeout, 'silent'],
    ] as const) {
      const { tracker, server, changes, peer } = setup()
      server.emit('peer:added', { peer })
      server.emit('peer:removed', { peer, reason, remote: false })
      expect(changes).toMatchObject([
        { id: peer.idHex, previous: 'healthy', state: 'unhealthy', lastFailure: failure },
      ])
      expect(tracker.has(peer.idHex)).toBe(false)
    }
  })

  it('does not report what the remote chose, and stops when the signal aborts', () => {
    const { tracker, server, changes, peer, ac } = setup()
    server.emit('peer:added', { peer })
    server.emit('peer:removed', { peer, reason: DisconnectReason.TcpError, remote: true })
    expect(changes).toEqual([])
    ac.abort()
    server.emit('peer:added', { peer })
    expect(tracker.has(peer.idHex)).toBe(false)
  })
})

describe('serverReadiness', () => {
  it('is listening while the server runs, and asks discovery', () => {
    const server = { running: false, listenAddress: undefined as unknown, peerCount: () => 3 }
    let discovery = true
    const r = serverReadiness(server as Parameters<typeof serverReadiness>[0], () => discovery)
    expect([r.listening, r.discoveryRunning, r.peerCount?.()]).toEqual([false, true, 3])
    Object.assign(server, { running: true, listenAddress: { ip: '127.0.0.1', port: 1 } })
    discovery = false
    expect([r.listening, r.discoveryRunning]).toEqual([true, false])
    expect(serverReadiness(server as Parameters<typeof serverReadiness>[0]).discoveryRunning).toBe(
      false,
    )
  })
})

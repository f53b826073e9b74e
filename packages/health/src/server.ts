import type { DisconnectReason, Peer, Server } from '@x/p2p'
import type { ReadinessSource } from './http.js'
import type { LivenessMonitor } from './liveness.js'
import type { DisconnectPeer } from './policy.js'

/**
 * Feeds a server's `peer:added` / `peer:removed` events to the liveness monitor until `signal`
 * aborts. Pass `monitor.messageEvent` as the server's `onMessage` option as well, for activity
 * and base Ping/Pong timing.
 */
export function attachServer(
  monitor: LivenessMonitor,
  server: Pick<Server, 'addEventListener'>,
  signal?: AbortSignal,
): void {
  const opts = signal ? { signal } : undefined
  server.addEventListener(
    'peer:added',
    (e) => {
      const p: Peer = e.detail.peer
      monitor.peerAdded({
        id: p.idHex,
        address: p.remoteAddress,
        clientId: p.clientId,
        caps: p.caps,
      })
    },
    opts,
  )
  server.addEventListener('peer:removed', (e) => monitor.peerRemoved(e.detail.peer.idHex), opts)
}

/** The drop-policy hook for a server: disconnects the connected peer with that ID. */
export function serverDisconnect(server: Pick<Server, 'peers'>): DisconnectPeer {
  return (id: string, reason: DisconnectReason) => {
    for (const p of server.peers()) if (p.idHex === id) p.disconnect(reason)
  }
}

/**
 * Readiness of a server for `/readyz`: listening once started, its peer count, and
 * `discoveryRunning()` from the node (discovery is not the server's).
 */
export function serverReadiness(
  server: Pick<Server, 'listenAddress' | 'running' | 'peerCount'>,
  discoveryRunning: () => boolean = () => false,
): ReadinessSource {
  return {
    get listening() {
      return server.running && server.listenAddress !== undefined
    },
    get discoveryRunning() {
      return discoveryRunning()
    },
    peerCount: () => server.peerCount(),
  }
}

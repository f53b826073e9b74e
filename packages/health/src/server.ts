import { DisconnectReason, type Peer, type Server } from '@x/p2p'
import type { LivenessMonitor } from './liveness.js'
import type { DisconnectPeer } from './policy.js'
import { type DiscoverySource, discoveryRunning, type ReadinessSource } from './readiness.js'

/**
 * Feeds a server's `peer:added` / `peer:removed` events to the liveness monitor until `signal`
 * aborts. Pass `monitor.messageEvent` as the server's `onMessage` option as well, for activity
 * and base Ping/Pong timing. A peer the server ended itself because its link failed
 * (`TcpError`: a failed write or read) or because it went silent (`ReadTimeout`) is reported
 * first — `link-failed` or `silent`, so a `peer:state` event says so — then forgotten.
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
  server.addEventListener(
    'peer:removed',
    (e) => {
      const { peer, reason, remote } = e.detail
      if (!remote && reason === DisconnectReason.TcpError) monitor.linkFailed(peer.idHex)
      if (!remote && reason === DisconnectReason.ReadTimeout) monitor.silent(peer.idHex)
      monitor.peerRemoved(peer.idHex)
    },
    opts,
  )
}

/** The drop-policy hook for a server: disconnects the connected peer with that ID. */
export function serverDisconnect(server: Pick<Server, 'peers'>): DisconnectPeer {
  return (id: string, reason: DisconnectReason) => {
    for (const p of server.peers()) if (p.idHex === id) p.disconnect(reason)
  }
}

/**
 * Readiness of a server for `/readyz`: listening once started, its peer count, and whether
 * the node's discovery runs (a `Discovery`, a probe or a function; not running when absent).
 */
export function serverReadiness(
  server: Pick<Server, 'listenAddress' | 'running' | 'peerCount'>,
  discovery?: DiscoverySource,
): ReadinessSource {
  const running = discovery ? discoveryRunning(discovery) : () => false
  return {
    get listening() {
      return server.running && server.listenAddress !== undefined
    },
    get discoveryRunning() {
      return running()
    },
    peerCount: () => server.peerCount(),
  }
}

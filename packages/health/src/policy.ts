import { DisconnectReason } from '@x/p2p'
import type { HealthStateChange, HealthTracker } from './tracker.js'

/** Ends a peer (the server's disconnect, by node ID hex). */
export type DisconnectPeer = (id: string, reason: DisconnectReason) => void

/**
 * The Disconnect reason for a peer that became unhealthy: silence and unanswered pings are
 * read timeouts, a failed write is a network error, a wrong echo breaks the protocol, and a
 * peer that answers but too slowly is useless to us.
 */
export function unhealthyDropReason(change: HealthStateChange): DisconnectReason {
  if (change.reason.startsWith('rtt')) return DisconnectReason.UselessPeer
  switch (change.lastFailure) {
    case 'silent':
    case 'timeout':
      return DisconnectReason.ReadTimeout
    case 'write-failed':
    case 'link-failed':
      return DisconnectReason.TcpError
    case 'mismatch':
      return DisconnectReason.BreachOfProtocol
    default:
      return DisconnectReason.UselessPeer
  }
}

/**
 * Policy hook: disconnects every peer the tracker reports unhealthy, with
 * {@link unhealthyDropReason}. Active until `signal` aborts.
 */
export function dropUnhealthyPeers(
  tracker: HealthTracker,
  disconnect: DisconnectPeer,
  signal?: AbortSignal,
): void {
  tracker.addEventListener(
    'peer:state',
    (e) => {
      if (e.detail.state === 'unhealthy') disconnect(e.detail.id, unhealthyDropReason(e.detail))
    },
    signal ? { signal } : undefined,
  )
}

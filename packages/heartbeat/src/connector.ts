import { type Clock, type Logger, type Node, noopLogger, systemClock } from '@x/discover'
import { connectPeer, DisconnectReason, type Network } from '@x/p2p'
import type { HeartbeatLink, HeartbeatProtocol } from './protocol.js'

/**
 * How a {@link HeartbeatService} reaches its aggregator: resolves with a link once `heartbeat/1`
 * runs on it, rejects on any failure. The service owns the retry timing.
 */
export type HeartbeatConnector = (target: Node, signal: AbortSignal) => Promise<HeartbeatLink>

export interface RlpxConnectorOptions {
  /** The node key: the aggregator sees (and checks records against) this identity. */
  privateKey: Uint8Array
  /** How to dial: `tcpNetwork(rlpx)` in production, a `MemoryNetwork` host in tests. */
  network: Network
  /** The protocol instance whose links are used (share it with the node's Server). */
  protocol: HeartbeatProtocol
  /** Client id of our hello. */
  clientId?: string
  /** TCP port announced in our hello (the node's listen port; default 0). */
  listenPort?: number
  /** Connect plus encryption handshake (default 15 s). */
  dialTimeout?: number
  /** Base-protocol ping period of the dedicated link (default 15 s). */
  pingInterval?: number
  clock?: Clock
  logger?: Logger
}

/**
 * The default connector: when the node's `Server` (running the same `protocol`) already has the
 * aggregator as a peer, that link is reused and left open on close; otherwise it makes a
 * dedicated RLPx dial with the node key (p2p's `connectPeer`), runs `heartbeat/1` on it, and
 * ends it (client quitting) on close. A dedicated dial keeps the reconnect timing the service's
 * own: the Server's dial scheduler would hold a failed node back for its 35 s dial history.
 */
export function rlpxConnector(options: RlpxConnectorOptions): HeartbeatConnector {
  const clock = options.clock ?? systemClock
  const log = options.logger ?? noopLogger
  return async (target, signal) => {
    const shared = options.protocol.link(target.idHex)
    if (shared) return shared
    const peer = await connectPeer({
      privateKey: options.privateKey,
      node: target,
      protocols: [options.protocol],
      network: options.network,
      signal,
      clock,
      logger: log,
      ...(options.clientId !== undefined ? { clientId: options.clientId } : {}),
      ...(options.listenPort !== undefined ? { listenPort: options.listenPort } : {}),
      ...(options.dialTimeout !== undefined ? { dialTimeout: options.dialTimeout } : {}),
      ...(options.pingInterval !== undefined ? { pingInterval: options.pingInterval } : {}),
    })
    const ended = peer.run()
    const close = async () => {
      peer.disconnect(DisconnectReason.ClientQuitting)
      await ended
    }
    try {
      const link = await options.protocol.waitLink(
        target.idHex,
        AbortSignal.any([signal, peer.signal]),
      )
      return { peer: link.peer, signal: peer.signal, send: link.send, close }
    } catch (err) {
      await close()
      throw err
    }
  }
}

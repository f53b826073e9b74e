import { type Clock, type Logger, noopLogger, systemClock } from '@x/core'
import type { Node } from '@x/discover'
import {
  connectPeer,
  DisconnectReason,
  type Network,
  type Peer,
  RemoteDisconnectError,
  serverDefaults,
} from '@x/p2p'
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
 * When the dedicated dial loses a race with the Server's own connection to the aggregator (the
 * aggregator answers "already connected"), the Server's link is used as soon as `heartbeat/1`
 * runs on it (within `dialTimeout`), instead of failing until the next reconnect.
 */
export function rlpxConnector(options: RlpxConnectorOptions): HeartbeatConnector {
  const clock = options.clock ?? systemClock
  const log = options.logger ?? noopLogger
  const dialTimeout = options.dialTimeout ?? serverDefaults.dialTimeout
  return async (target, signal) => {
    const shared = options.protocol.link(target.idHex)
    if (shared) return shared
    let peer: Peer
    try {
      peer = await connectPeer({
        privateKey: options.privateKey,
        node: target,
        protocols: [options.protocol],
        network: options.network,
        signal,
        clock,
        logger: log,
        ...(options.clientId !== undefined ? { clientId: options.clientId } : {}),
        ...(options.listenPort !== undefined ? { listenPort: options.listenPort } : {}),
        dialTimeout,
        ...(options.pingInterval !== undefined ? { pingInterval: options.pingInterval } : {}),
      })
    } catch (err) {
      if (!isAlreadyConnected(err)) throw err
      log.debug('aggregator already connected: waiting for the node’s link', {
        target: target.idHex.slice(0, 16),
      })
      return await waitShared(options.protocol, target.idHex, signal, clock, dialTimeout, err)
    }
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
      if (link.peer !== peer) {
        // The node's Server got its own link to the aggregator running first (a simultaneous
        // dial): heartbeat/1 runs there, so this dial is surplus.
        await close()
        return link
      }
      return { peer, signal: endSignal(peer), send: link.send, close }
    } catch (err) {
      await close()
      throw err
    }
  }
}

/** Whether `err` is the remote's "already connected" Disconnect: a lost duplicate-connection race. */
export function isAlreadyConnected(err: unknown): err is RemoteDisconnectError {
  return err instanceof RemoteDisconnectError && err.reason === DisconnectReason.AlreadyConnected
}

/**
 * Aborted when `peer` ends. A remote Disconnect is kept as the reason (a typed
 * RemoteDisconnectError), so the service can tell a lost duplicate-connection race ("already
 * connected": the node's own link to the aggregator won) from a failure.
 */
function endSignal(peer: Peer): AbortSignal {
  const end = new AbortController()
  const onEnd = () => {
    const info = peer.disconnectInfo
    end.abort(info?.remote ? new RemoteDisconnectError(info.reason) : peer.signal.reason)
  }
  if (peer.signal.aborted) onEnd()
  else peer.signal.addEventListener('abort', onEnd, { once: true })
  return end.signal
}

/** The Server's link to `id` once heartbeat/1 runs on it; rejects with `cause` after `ms`. */
async function waitShared(
  protocol: HeartbeatProtocol,
  id: string,
  signal: AbortSignal,
  clock: Clock,
  ms: number,
  cause: Error,
): Promise<HeartbeatLink> {
  const timeout = new AbortController()
  const timer = clock.setTimeout(() => timeout.abort(cause), ms)
  try {
    return await protocol.waitLink(id, AbortSignal.any([signal, timeout.signal]))
  } finally {
    clock.clearTimeout(timer)
  }
}

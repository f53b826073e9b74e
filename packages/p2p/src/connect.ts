import { type Clock, type Logger, systemClock } from '@x/core'
import { type Node, nodeIdFromPrivateKey } from '@x/discover'
import { DisconnectError, DisconnectReason, P2PError } from './errors.js'
import { baseProtocolVersion } from './hello.js'
import type { MsgEventSink } from './message.js'
import { matchProtocols, protocolCaps } from './peer/caps.js'
import { protoHandshake } from './peer/handshake.js'
import { Peer } from './peer/peer.js'
import type { Protocol } from './protocol.js'
import { rejectConn, withTimeout } from './server/conn.js'
import type { Network } from './server/network.js'
import { serverDefaults } from './server/options.js'

export interface ConnectPeerOptions {
  /** Our node key. */
  privateKey: Uint8Array
  /** Whom to dial. */
  node: Node
  /** Protocols to offer and run (default none: only the base protocol runs). */
  protocols?: readonly Protocol[]
  /** Client id of our hello (default the server's). */
  clientId?: string
  /** TCP port announced in our hello (default 0: we do not listen). */
  listenPort?: number
  signal?: AbortSignal
  /** The network (default RLPx over TCP). */
  network?: Network
  clock?: Clock
  logger?: Logger
  /** Connect plus encryption handshake (default 15 s). */
  dialTimeout?: number
  /** Hello exchange (default 5 s). */
  helloTimeout?: number
  pingInterval?: number
  idleTimeout?: number
  onMessage?: MsgEventSink
}

/**
 * Dials one node without a server (for health checks and one-off probes): connect, encryption
 * handshake, hello exchange; resolves with a {@link Peer} that is not yet running — call
 * `peer.run()` to run its protocols and ping loop until it ends, or `peer.disconnect(reason)`.
 * When `protocols` are given and the remote shares none, rejects with a DisconnectError
 * (useless peer, sent to the remote). Other failures reject with the underlying error
 * (RemoteDisconnectError when the remote refused us, TimeoutError, network errors); the link is
 * closed on every failure.
 */
export async function connectPeer(options: ConnectPeerOptions): Promise<Peer> {
  const network = options.network
  if (!network) throw new P2PError('ERR_NO_NETWORK', 'no network given (RLPx not available)')
  const clock = options.clock ?? systemClock
  const local = { privateKey: options.privateKey, id: nodeIdFromPrivateKey(options.privateKey) }
  const signals = options.signal ? [options.signal] : []
  const transport = await withTimeout(
    clock,
    options.dialTimeout ?? serverDefaults.dialTimeout,
    signals,
    (signal) => network.dial(options.node, local, { signal }),
  )
  const protocols = options.protocols ?? []
  try {
    const hello = await protoHandshake(
      transport,
      {
        version: baseProtocolVersion,
        clientId: options.clientId ?? serverDefaults.name,
        caps: protocolCaps(protocols),
        listenPort: options.listenPort ?? 0,
        id: local.id,
      },
      {
        clock,
        timeout: options.helloTimeout ?? serverDefaults.helloTimeout,
        ...(options.signal ? { signal: options.signal } : {}),
      },
    )
    if (protocols.length > 0 && matchProtocols(protocols, hello.caps).length === 0) {
      await rejectConn(clock, transport, DisconnectReason.UselessPeer)
      throw new DisconnectError(DisconnectReason.UselessPeer, 'no matching protocol')
    }
    return new Peer(transport, hello, {
      protocols,
      inbound: false,
      clock,
      ...(options.pingInterval !== undefined ? { pingInterval: options.pingInterval } : {}),
      ...(options.idleTimeout !== undefined ? { idleTimeout: options.idleTimeout } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.onMessage ? { onMessage: options.onMessage } : {}),
    })
  } catch (err) {
    transport.close()
    throw err
  }
}

import type { Node, NodeId } from '@x/discover'
import type { Transport } from '../message.js'

/** Who we are, for the encryption handshake. */
export interface LocalIdentity {
  privateKey: Uint8Array
  id: NodeId
}

/** A connection accepted by a listener, before the encryption handshake. */
export interface InboundConn {
  readonly remoteAddress: { ip: string; port: number }
  /** Runs the encryption handshake as the recipient; resolves with the authenticated link. */
  handshake(options: { signal: AbortSignal }): Promise<Transport>
  /** Closes the connection without a handshake (throttled, restricted, over the cap). */
  close(): void
}

export interface Listener {
  /** The bound address (the port is read back when 0 was asked for). */
  readonly address: { ip: string; port: number }
  /** Stops accepting; established connections are not touched. */
  close(): Promise<void>
}

/**
 * How the server reaches the network: RLPx over TCP in production ({@link tcpNetwork}), an
 * in-memory network in tests (`MemoryNetwork` in `@x/p2p/testing`).
 */
export interface Network {
  /** Listens on `address`; calls `onConn` for every accepted connection. */
  listen(
    address: { ip: string; port: number },
    local: LocalIdentity,
    onConn: (conn: InboundConn) => void,
  ): Promise<Listener>
  /**
   * Connects to `node` and runs the encryption handshake as the initiator; the returned
   * transport's `remoteId` is `node.id`. Rejects on failure, timeout or abort.
   */
  dial(node: Node, local: LocalIdentity, options: { signal: AbortSignal }): Promise<Transport>
}

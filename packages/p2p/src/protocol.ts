import type { NodeId } from '@x/discover'
import type { DisconnectReason } from './errors.js'
import type { Cap } from './hello.js'
import type { MsgReadWriter } from './message.js'

/**
 * What a running sub-protocol sees of its peer (go-ethereum's `*p2p.Peer` as passed to
 * `Protocol.Run`). The peer layer implements it; protocols and tests depend only on this.
 */
export interface ProtocolPeer {
  /** The remote's node ID (64-byte public key), authenticated by RLPx. */
  readonly id: NodeId
  /** `id` as 128 lowercase hex characters, for maps and logs. */
  readonly idHex: string
  /** The client id the remote sent in its hello, e.g. `Geth/v1.16.0/linux-amd64/go1.24`. */
  readonly clientId: string
  /** The remote's capabilities from its hello. */
  readonly caps: readonly Cap[]
  readonly remoteAddress: { ip: string; port: number }
  /** True when the remote dialed us. */
  readonly inbound: boolean
  /** Aborted when the peer ends, for whatever reason. */
  readonly signal: AbortSignal
  /** Ends the peer with `reason` (sent to the remote as a Disconnect). Idempotent. */
  disconnect(reason: DisconnectReason): void
}

/**
 * A devp2p sub-protocol (go-ethereum's `p2p.Protocol`). The server offers it in the hello; when
 * a peer shares it (same name, highest common version), `run` is called with a reader/writer
 * whose codes are 0..length-1 (the peer layer translates the offset).
 *
 * `run` owns the peer for the protocol's lifetime: when it returns, the peer is disconnected
 * with `ClientQuitting` (go-ethereum's `errProtocolReturned`); when it throws a
 * {@link DisconnectError}, with that error's reason; when it throws anything else, with
 * `SubprotocolError`. It should return promptly once `signal` aborts.
 */
export interface Protocol {
  readonly name: string
  readonly version: number
  /** How many message codes the protocol uses. */
  readonly length: number
  run(peer: ProtocolPeer, rw: MsgReadWriter, signal: AbortSignal): Promise<void>
  /** Protocol-specific data for `nodeInfo()` (go-ethereum's `admin_nodeInfo.protocols`). */
  nodeInfo?(): unknown
  /** Protocol-specific data about one peer for `peersInfo()`, or undefined if not running. */
  peerInfo?(id: NodeId): unknown
}

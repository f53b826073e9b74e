import type { NodeId } from '@x/discover'

/**
 * A devp2p message: `code` (base protocol 0x00–0x0f, sub-protocols after, by offset) and its RLP
 * `payload` (decompressed). `size` is the payload length; `receivedAt` is when it was read (ms).
 */
export interface Msg {
  code: number
  size: number
  payload: Uint8Array
  receivedAt: number
}

export interface MsgReader {
  /** Resolves with the next message; rejects with a typed error when the link fails or closes. */
  readMsg(): Promise<Msg>
}

export interface MsgWriter {
  /** Writes one message; resolves once it is handed to the socket. */
  writeMsg(code: number, payload: Uint8Array): Promise<void>
}

export interface MsgReadWriter extends MsgReader, MsgWriter {}

/**
 * An established, authenticated link to a peer after the RLPx handshake (go-ethereum's
 * `transport`): the peer layer runs the hello exchange and the protocols over it.
 */
export interface Transport extends MsgReadWriter {
  /** The remote's node ID, authenticated by the handshake. */
  readonly remoteId: NodeId
  readonly remoteAddress: { ip: string; port: number }
  /** Turns snappy compression on for both directions (when both hellos say version ≥ 5). */
  setSnappy(on: boolean): void
  /** Closes the link; pending and later reads reject. Idempotent. */
  close(): void
}

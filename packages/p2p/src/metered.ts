/**
 * Message events for metrics (go-ethereum's `msgEventer`/`PeerEventTypeMsgSend|Recv`): one per
 * message a peer sends or receives, base protocol (`p2p`) included. Reported only when a sink
 * is given (the server's `messageEvents` option), so the default path pays nothing.
 */
export interface MsgEvent {
  direction: 'sent' | 'received'
  /** The peer's node ID, 128 hex characters. */
  peer: string
  /** Protocol name (`p2p` for the base protocol). */
  protocol: string
  /** The protocol-local message code (wire code minus the protocol's offset). */
  code: number
  /** Payload bytes (before compression). */
  size: number
}

export type MsgEventSink = (event: MsgEvent) => void

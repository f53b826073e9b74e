/**
 * Disconnect reasons of the devp2p base protocol (rlpx.md, "Disconnect (0x01)").
 */
export enum DisconnectReason {
  Requested = 0x00,
  TcpError = 0x01,
  BreachOfProtocol = 0x02,
  UselessPeer = 0x03,
  TooManyPeers = 0x04,
  AlreadyConnected = 0x05,
  IncompatibleVersion = 0x06,
  InvalidIdentity = 0x07,
  ClientQuitting = 0x08,
  UnexpectedIdentity = 0x09,
  ConnectedToSelf = 0x0a,
  ReadTimeout = 0x0b,
  SubprotocolError = 0x10,
}

/** Human-readable names of the reasons, as go-ethereum prints them. */
export const disconnectReasonText: Record<DisconnectReason, string> = {
  [DisconnectReason.Requested]: 'disconnect requested',
  [DisconnectReason.TcpError]: 'network error',
  [DisconnectReason.BreachOfProtocol]: 'breach of protocol',
  [DisconnectReason.UselessPeer]: 'useless peer',
  [DisconnectReason.TooManyPeers]: 'too many peers',
  [DisconnectReason.AlreadyConnected]: 'already connected',
  [DisconnectReason.IncompatibleVersion]: 'incompatible p2p protocol version',
  [DisconnectReason.InvalidIdentity]: 'invalid node identity',
  [DisconnectReason.ClientQuitting]: 'client quitting',
  [DisconnectReason.UnexpectedIdentity]: 'unexpected identity',
  [DisconnectReason.ConnectedToSelf]: 'connected to self',
  [DisconnectReason.ReadTimeout]: 'read timeout',
  [DisconnectReason.SubprotocolError]: 'subprotocol error',
}

/**
 * Base class of every error thrown by @x/p2p. Subclasses narrow `code` to a literal; add new
 * codes to the union of the module that throws them.
 */
export class P2PError extends Error {
  readonly code: string

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'P2PError'
    this.code = code
  }
}

/**
 * The remote ended the link with a Disconnect message (during the hello exchange or later).
 * `reason` is what it sent.
 */
export class RemoteDisconnectError extends P2PError {
  declare readonly code: 'ERR_REMOTE_DISCONNECT'
  readonly reason: DisconnectReason

  constructor(reason: DisconnectReason) {
    super('ERR_REMOTE_DISCONNECT', `remote disconnected: ${disconnectReasonText[reason]}`)
    this.name = 'RemoteDisconnectError'
    this.reason = reason
  }
}

/** A message code outside the range of the protocol that wrote or received it. */
export class InvalidMsgCodeError extends P2PError {
  declare readonly code: 'ERR_INVALID_MSG_CODE'
  constructor(message: string) {
    super('ERR_INVALID_MSG_CODE', message)
    this.name = 'InvalidMsgCodeError'
  }
}

/** Reads and writes on a protocol's reader/writer after its peer ended. */
export class PeerClosedError extends P2PError {
  declare readonly code: 'ERR_PEER_CLOSED'
  constructor(message = 'peer closed') {
    super('ERR_PEER_CLOSED', message)
    this.name = 'PeerClosedError'
  }
}

/** An operation (hello exchange, dial) did not finish in time. */
export class TimeoutError extends P2PError {
  declare readonly code: 'ERR_TIMEOUT'
  constructor(message: string) {
    super('ERR_TIMEOUT', message)
    this.name = 'TimeoutError'
  }
}

import { Devp2pError } from '@x/core'

// Timeouts (hello exchange, RLPx handshake and frame I/O, connection setup) are @x/core's one
// `TimeoutError` (`ERR_TIMEOUT`), so `instanceof` does not depend on the import.

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
 * Base class of every error thrown by @x/p2p (and by the protocols built on it: health,
 * heartbeat). Subclasses narrow `code` to a literal; add new codes to the class that throws them.
 */
export class P2PError extends Devp2pError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options)
    this.name = 'P2PError'
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

/** What went wrong in the RLPx transport (handshake, framing, compression, the socket). */
export type RlpxErrorCode =
  /** An ECIES message did not decrypt: too short, bad point, or its HMAC does not match. */
  | 'ERR_ECIES'
  /** An auth or ack message is malformed (size prefix, RLP, lengths, signature). */
  | 'ERR_BAD_HANDSHAKE'
  /** The dialed node answered with another static key than the one we dialed. */
  | 'ERR_UNEXPECTED_IDENTITY'
  /** A frame's header-MAC or frame-MAC does not match: the session is closed. */
  | 'ERR_BAD_MAC'
  /** A frame larger than the 2^24 − 1 bytes the header can say, or than our limit. */
  | 'ERR_FRAME_TOO_LARGE'
  /** A message (compressed or decompressed) larger than 16 MiB. */
  | 'ERR_MSG_TOO_LARGE'
  /** Snappy data that does not decode (bad lengths, offsets, truncated). */
  | 'ERR_SNAPPY'
  /** A malformed frame body (no message code). */
  | 'ERR_BAD_FRAME'
  /** The connection is closed (locally, by the remote, or after an error). */
  | 'ERR_CONN_CLOSED'
  /** Too many writes already wait behind a full socket buffer. */
  | 'ERR_WRITE_QUEUE_FULL'

/** An RLPx transport error; `code` says which (see {@link RlpxErrorCode}). */
export class RlpxError extends P2PError {
  declare readonly code: RlpxErrorCode
  constructor(code: RlpxErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options)
    this.name = 'RlpxError'
  }
}

/** A Hello that does not decode or is too large (rlpx.md "Hello (0x00)"). */
export class HelloError extends P2PError {
  declare readonly code: 'ERR_BAD_HELLO'
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_BAD_HELLO', message, options)
    this.name = 'HelloError'
  }
}

/**
 * Thrown (by a protocol's `run` or by the peer layer) to end a peer with a specific reason.
 */
export class DisconnectError extends P2PError {
  declare readonly code: 'ERR_DISCONNECT'
  readonly reason: DisconnectReason

  constructor(reason: DisconnectReason, message?: string, options?: { cause?: unknown }) {
    super('ERR_DISCONNECT', message ?? `disconnect: reason ${reason}`, options)
    this.name = 'DisconnectError'
    this.reason = reason
  }
}

/** The message read was not the one expected (go-ethereum's `ExpectMsg`). */
export class UnexpectedMsgError extends P2PError {
  declare readonly code: 'ERR_UNEXPECTED_MSG'
  constructor(message: string) {
    super('ERR_UNEXPECTED_MSG', message)
    this.name = 'UnexpectedMsgError'
  }
}

/** Rejected reads and writes on a closed message pipe end. */
export class PipeClosedError extends P2PError {
  declare readonly code: 'ERR_PIPE_CLOSED'
  constructor() {
    super('ERR_PIPE_CLOSED', 'message pipe closed')
    this.name = 'PipeClosedError'
  }
}

/** A dial or handshake that failed on the in-memory network of `@x/p2p/testing`. */
export class MemoryNetworkError extends P2PError {
  declare readonly code: 'ERR_CONNECTION_REFUSED' | 'ERR_HANDSHAKE_FAILED'
  constructor(code: 'ERR_CONNECTION_REFUSED' | 'ERR_HANDSHAKE_FAILED', message: string) {
    super(code, message)
    this.name = 'MemoryNetworkError'
  }
}

/** Codes of {@link NatError}. */
export type NatErrorCode = 'ERR_INVALID_NAT' | 'ERR_NAT_NO_GATEWAY' | 'ERR_NAT_MAPPING'

/**
 * A `--nat` value that does not parse (`ERR_INVALID_NAT`), no gateway that answered in time
 * (`ERR_NAT_NO_GATEWAY`), or a port mapping the gateway refused (`ERR_NAT_MAPPING`).
 */
export class NatError extends P2PError {
  declare readonly code: NatErrorCode

  constructor(code: NatErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options)
    this.name = 'NatError'
  }
}

import { Devp2pError } from '@x/core'

/** Stable error codes of @x/discover. Callers branch on `code`, never on messages. */
export type DiscoverErrorCode =
  | 'ERR_INVALID_PRIVATE_KEY'
  | 'ERR_INVALID_PUBLIC_KEY'
  | 'ERR_INVALID_SIGNATURE'
  | 'ERR_NODE_KEY_FILE'
  | 'ERR_INVALID_PORT'
  | 'ERR_INVALID_NODE_ID'
  | 'ERR_ENODE_SCHEME'
  | 'ERR_ENODE_MISSING_AT'
  | 'ERR_ENODE_BAD_HEX'
  | 'ERR_ENODE_BAD_ID_LENGTH'
  | 'ERR_ENODE_BAD_KEY'
  | 'ERR_ENODE_BAD_HOST'
  | 'ERR_ENODE_BAD_PORT'
  | 'ERR_ENODE_BAD_DISCPORT'
  | 'ERR_ENODE_BAD_QUERY'
  | 'ERR_PACKET_TOO_SMALL'
  | 'ERR_PACKET_TOO_LARGE'
  | 'ERR_BAD_HASH'
  | 'ERR_UNKNOWN_PACKET_TYPE'
  | 'ERR_BAD_PACKET'
  | 'ERR_EXPIRED'
  | 'ERR_CLOSED'
  | 'ERR_NOT_STARTED'
  | 'ERR_UNSOLICITED_REPLY'
  | 'ERR_UNKNOWN_NODE'
  | 'ERR_ENR_TOO_BIG'
  | 'ERR_ENR_BAD_SIGNATURE'
  | 'ERR_ENR_UNSORTED_KEYS'
  | 'ERR_ENR_BAD_SCHEME'
  | 'ERR_ENR_BAD_TEXT'
  | 'ERR_ENR_BAD_ENTRY'
  | 'ERR_SNTP'
  | 'ERR_DB_CORRUPT'
  | 'ERR_DB_OPEN'
  | 'ERR_DNS_BAD_URL'
  | 'ERR_DNS_BAD_ROOT'
  | 'ERR_DNS_BAD_SIGNATURE'
  | 'ERR_DNS_BAD_ENTRY'
  | 'ERR_DNS_HASH_MISMATCH'
  | 'ERR_DNS_NO_ROOT'
  | 'ERR_DNS_NO_ENTRY'
  | 'ERR_DNS_RECORD_TOO_LARGE'
  | 'ERR_DNS_ENR_IN_LINK_TREE'
  | 'ERR_DNS_LINK_IN_ENR_TREE'
  | 'ERR_DNS_TREE_TOO_LARGE'
  | 'ERR_DNS_LOOKUP'
  | 'ERR_HOST_UNRESOLVED'
  | V5ErrorCode

/**
 * Why a Discovery v5 packet or message was dropped (discv5-wire.md): a size, header or auth-data
 * fault, a message that does not authenticate, a handshake that fails to verify, or a message
 * that does not decode.
 */
export type V5ErrorCode =
  | 'ERR_V5_TOO_SMALL'
  | 'ERR_V5_TOO_LARGE'
  | 'ERR_V5_BAD_PROTOCOL_ID'
  | 'ERR_V5_BAD_VERSION'
  | 'ERR_V5_BAD_FLAG'
  | 'ERR_V5_BAD_AUTH_SIZE'
  | 'ERR_V5_DECRYPT'
  | 'ERR_V5_BAD_EPHEMERAL_KEY'
  | 'ERR_V5_BAD_ID_SIGNATURE'
  | 'ERR_V5_NO_RECORD'
  | 'ERR_V5_BAD_RECORD'
  | 'ERR_V5_UNEXPECTED_HANDSHAKE'
  | 'ERR_V5_UNEXPECTED_WHOAREYOU'
  | 'ERR_V5_UNKNOWN_MESSAGE'
  | 'ERR_V5_BAD_MESSAGE'
  | 'ERR_V5_BAD_REQUEST_ID'
  | 'ERR_V5_UNSOLICITED'
  | 'ERR_V5_RATE_LIMITED'
  | 'ERR_V5_SELF'
  | 'ERR_V5_REPLAYED'
  | 'ERR_V5_BUSY'
  | 'ERR_V5_BAD_NODES'

/**
 * Base class of the errors of @x/discover. Timeouts are @x/core's `TimeoutError` and malformed
 * RLP its `RlpError`, as in every layer.
 */
export class DiscoverError extends Devp2pError {
  declare readonly code: DiscoverErrorCode

  constructor(code: DiscoverErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options)
    this.name = 'DiscoverError'
    this.code = code
  }
}

/** A malformed enode URL; `code` says which part is wrong. */
export class EnodeError extends DiscoverError {
  readonly url: string

  constructor(code: DiscoverErrorCode, message: string, url: string) {
    super(code, `${message}: ${url.length > 200 ? `${url.slice(0, 200)}…` : url}`)
    this.name = 'EnodeError'
    this.url = url
  }
}

/**
 * A discovery packet that does not decode (too small or large, bad hash, bad signature,
 * unknown type, malformed RLP, a field go-ethereum would reject). `field` names the offending
 * field of an `ERR_BAD_PACKET` when there is one (`enr-seq`, `from`, `from.udp`, `nodes[3].id`…).
 * The UDP service counts and drops it; it never escapes the socket.
 */
export class PacketError extends DiscoverError {
  readonly field: string | undefined

  constructor(
    code: DiscoverErrorCode,
    message: string,
    options?: { cause?: unknown; field?: string },
  ) {
    super(code, message, options)
    this.name = 'PacketError'
    this.field = options?.field
  }
}

/**
 * A Discovery v5 packet or message that was dropped; `code` says why ({@link V5ErrorCode}). The
 * v5 service counts it by code and never lets it escape the socket.
 */
export class V5PacketError extends DiscoverError {
  constructor(code: V5ErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options)
    this.name = 'V5PacketError'
  }
}

/** A node record (EIP-778) that is malformed, too big, or badly signed. */
export class EnrError extends DiscoverError {
  constructor(code: DiscoverErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options)
    this.name = 'EnrError'
  }
}

/**
 * A node database problem: a stored value that does not decode (`ERR_DB_CORRUPT`, skipped and
 * deleted on load, never fatal) or a store that cannot be opened (`ERR_DB_OPEN`, e.g. locked by
 * another process). `key` names the offending entry when there is one.
 */
export class NodeDBError extends DiscoverError {
  readonly key: string | undefined

  constructor(
    code: DiscoverErrorCode,
    message: string,
    options?: { cause?: unknown; key?: string },
  ) {
    super(code, message, options)
    this.name = 'NodeDBError'
    this.key = options?.key
  }
}

/**
 * EIP-1459 DNS discovery went wrong: a malformed `enrtree://` URL or record, a root whose
 * signature does not verify, a record whose hash is not its name, a tree over its bounds, or a
 * failed TXT lookup (`ERR_DNS_LOOKUP`, the resolver's error as `cause`). `name` is the DNS name
 * concerned, when there is one. Timeouts are @x/core's `TimeoutError`.
 */
export class DnsError extends DiscoverError {
  readonly domain: string | undefined

  constructor(
    code: DiscoverErrorCode,
    message: string,
    options?: { cause?: unknown; domain?: string },
  ) {
    super(code, options?.domain ? `${options.domain}: ${message}` : message, options)
    this.name = 'DnsError'
    this.domain = options?.domain
  }
}

/** A host name (in an enode URL) that did not resolve to an address, or not in time. */
export class HostError extends DiscoverError {
  readonly host: string

  constructor(message: string, host: string, options?: { cause?: unknown }) {
    super('ERR_HOST_UNRESOLVED', message, options)
    this.name = 'HostError'
    this.host = host
  }
}

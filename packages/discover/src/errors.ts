/** Stable error codes of @x/discover. Callers branch on `code`, never on messages. */
export type DiscoverErrorCode =
  | 'ERR_INVALID_PRIVATE_KEY'
  | 'ERR_INVALID_PUBLIC_KEY'
  | 'ERR_INVALID_SIGNATURE'
  | 'ERR_NODE_KEY_FILE'
  | 'ERR_INVALID_IP'
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
  | 'ERR_CRYPTO_BACKEND'
  | 'ERR_BAD_RLP'

/** Base class of every error thrown by @x/discover. */
export class DiscoverError extends Error {
  readonly code: DiscoverErrorCode

  constructor(code: DiscoverErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
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

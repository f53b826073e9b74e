/** Codes of every error thrown by @x/eth. */
export type EthErrorCode =
  | 'ERR_DECODE'
  | 'ERR_MSG_TOO_LARGE'
  | 'ERR_INVALID_MSG_CODE'
  | 'ERR_NO_STATUS_MSG'
  | 'ERR_EXTRA_STATUS_MSG'
  | 'ERR_PROTOCOL_VERSION_MISMATCH'
  | 'ERR_NETWORK_ID_MISMATCH'
  | 'ERR_GENESIS_MISMATCH'
  | 'ERR_FORKID_REJECTED'
  | 'ERR_INVALID_BLOCK_RANGE'
  | 'ERR_STATUS_TIMEOUT'
  | 'ERR_REQUEST_TIMEOUT'
  | 'ERR_UNEXPECTED_RESPONSE'
  | 'ERR_PEER_SET_CLOSED'
  | 'ERR_PEER_ALREADY_REGISTERED'
  | 'ERR_PEER_NOT_REGISTERED'
  | 'ERR_LOCAL_INCOMPATIBLE_OR_STALE'
  | 'ERR_REMOTE_STALE'
  | 'ERR_INVALID_CHAIN'

/** Base class of every error thrown by @x/eth; branch on `code`. */
export class EthError extends Error {
  readonly code: EthErrorCode

  constructor(code: EthErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'EthError'
    this.code = code
  }
}

/** A message that does not decode, or decodes to values the protocol forbids. */
export function decodeError(what: string, cause?: unknown): EthError {
  const detail = cause instanceof Error ? `: ${cause.message}` : ''
  return new EthError('ERR_DECODE', `invalid ${what}${detail}`, { cause })
}

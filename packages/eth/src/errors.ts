import { Devp2pError, RlpError } from '@x/core'
import { DisconnectError, DisconnectReason } from '@x/p2p'

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
  | 'ERR_INVALID_BLOB_TX'
  | 'ERR_BLOB_TX_BROADCAST'
  | 'ERR_DUPLICATE_TX'
  | 'ERR_ANNOUNCE_MISMATCH'
  | 'ERR_ANNOUNCE_LENGTHS'
  | 'ERR_INVALID_ITEM'
  | 'ERR_TOO_MANY_ITEMS'

/**
 * Base class of every error thrown by @x/eth; branch on `code`. A `Devp2pError` of @x/core, so
 * `instanceof Devp2pError` catches it with the errors of every other layer.
 */
export class EthError extends Devp2pError {
  declare readonly code: EthErrorCode

  constructor(code: EthErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options)
    this.name = 'EthError'
  }
}

/**
 * Wraps a decoder of eth data (a message payload, a header, a transaction): the one place where
 * an `RlpError` of @x/core's raw RLP reader becomes `EthError` `ERR_DECODE` (or
 * `ERR_TOO_MANY_ITEMS` for a list over the reader's limit), same message, the `RlpError` as
 * `cause`. Other errors (an `EthError` the decoder threw itself) pass unchanged.
 */
export function ethDecoder<A extends unknown[], R>(decode: (...args: A) => R): (...args: A) => R {
  return (...args) => {
    try {
      return decode(...args)
    } catch (err) {
      if (err instanceof RlpError) {
        // More items than our limit is a check after the decode in go-ethereum (a plain error,
        // a subprotocol error), not a message that fails to decode.
        const code = err.code === 'ERR_TOO_MANY_ITEMS' ? 'ERR_TOO_MANY_ITEMS' : 'ERR_DECODE'
        throw new EthError(code, err.message, { cause: err })
      }
      throw err
    }
  }
}

/**
 * Decodes the payload of message `code` with its codec. A payload that does not decode ends the
 * peer with `BreachOfProtocol`, as go-ethereum's `Msg.Decode` does (its `errInvalidMsg`, which
 * `discReasonForError` maps to `DiscProtocolError`): the {@link DisconnectError} carries the
 * codec's `ERR_DECODE` as `cause`. Every other error (checks after the decode: sizes, lengths,
 * unsolicited responses) passes unchanged and ends the peer with a subprotocol error.
 */
export function decodeMsg<T>(code: number, payload: Uint8Array, decode: (p: Uint8Array) => T): T {
  try {
    return decode(payload)
  } catch (err) {
    if (err instanceof EthError && err.code === 'ERR_DECODE') {
      throw new DisconnectError(
        DisconnectReason.BreachOfProtocol,
        `invalid message (code ${code}, size ${payload.length}): ${err.message}`,
        { cause: err },
      )
    }
    throw err
  }
}

/**
 * Runs `check` on one item of a list a message carries (a transaction, a header, a receipt).
 * go-ethereum decodes such a message with the items kept raw (`rlp.RawList`) and decodes the
 * items afterwards (`RawList.Items`), so an item that is not what it should be is a subprotocol
 * error there, not a malformed message: a decode failure in `check` becomes
 * `ERR_INVALID_ITEM` (which {@link decodeMsg} lets through).
 */
export function checkItem(what: string, check: () => void): void {
  try {
    check()
  } catch (err) {
    if (err instanceof RlpError || (err instanceof EthError && err.code === 'ERR_DECODE')) {
      throw new EthError('ERR_INVALID_ITEM', `invalid ${what}: ${err.message}`, { cause: err })
    }
    throw err
  }
}

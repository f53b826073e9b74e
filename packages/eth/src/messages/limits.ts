import { EthError } from '../errors.js'
import { maxMessageSize } from './codes.js'

/** Throws `ERR_MSG_TOO_LARGE` for payloads over {@link maxMessageSize}. */
export function checkSize(payload: Uint8Array, what: string): void {
  if (payload.length > maxMessageSize) {
    throw new EthError(
      'ERR_MSG_TOO_LARGE',
      `${what}: message of ${payload.length} bytes exceeds ${maxMessageSize}`,
    )
  }
}

import { asFixedBytes, asList, decodeRlp, encodeRlp, RlpError } from '@x/core'
import { HealthError } from '../errors.js'

/**
 * The `ping/1` devp2p sub-protocol (an L7 check, as in libp2p's ping): the sender writes
 * Ping `[nonce]` with 32 random bytes, the receiver answers Pong `[nonce]` with the same bytes.
 * Pure codecs; `protocol.ts` runs them.
 */
export const pingProtocolName = 'ping'
export const pingProtocolVersion = 1
/** Message codes used (Ping, Pong). */
export const pingProtocolLength = 2
export const pingMsgCode = 0x00
export const pongMsgCode = 0x01
/** Bytes of the random nonce. */
export const pingNonceSize = 32
/** A Ping/Pong is 34 bytes; anything much larger is rejected before decoding. */
export const maxPingMsgSize = 64

/** Encodes a Ping or Pong carrying `nonce`. */
export function encodePingMsg(nonce: Uint8Array): Uint8Array {
  if (nonce.length !== pingNonceSize) {
    throw new HealthError('ERR_BAD_PING_MSG', `nonce must be ${pingNonceSize} bytes`)
  }
  return encodeRlp([nonce])
}

/** Decodes a Ping or Pong to its nonce (extra fields ignored); throws `ERR_BAD_PING_MSG` on anything else. */
export function decodePingMsg(payload: Uint8Array): Uint8Array {
  if (payload.length > maxPingMsgSize) {
    throw new HealthError('ERR_BAD_PING_MSG', `ping message of ${payload.length} bytes`)
  }
  try {
    // Extra list elements are ignored, for forward compatibility (as EIP-8 does for hello).
    const [nonce] = asList(decodeRlp(payload), 'ping message')
    return asFixedBytes(nonce, pingNonceSize, 'ping nonce')
  } catch (err) {
    if (err instanceof RlpError) {
      throw new HealthError('ERR_BAD_PING_MSG', err.message, { cause: err })
    }
    throw err
  }
}

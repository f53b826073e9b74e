import { decodeRlp, encodeRlpAfter, equalBytes, getCrypto } from '@x/core'
import { PacketError } from '../errors.js'
import { decodePacketData, encodePacketData } from './messages.js'
import { type DecodedPacket, type Packet, type PacketTypeCode, wireConstants } from './types.js'

const { headSize, hashSize, signatureSize, maxPacketSize } = wireConstants
const sigEnd = hashSize + signatureSize

/**
 * Encodes and signs a packet: `hash ‖ sig ‖ type ‖ rlp(data)` with sig = sign(keccak256(type ‖
 * data)) as r ‖ s ‖ v and hash = keccak256(sig ‖ type ‖ data). Returns the datagram and its hash
 * (the token a Pong or ENRResponse echoes).
 */
export function encodePacket(
  packet: Packet,
  privateKey: Uint8Array,
): { bytes: Uint8Array; hash: Uint8Array } {
  const crypto = getCrypto()
  const out = encodeRlpAfter(headSize, encodePacketData(packet))
  out[headSize - 1] = packet.type
  const sig = crypto.sign(crypto.keccak256(out.subarray(sigEnd)), privateKey)
  out.set(sig, hashSize)
  const hash = crypto.keccak256(out.subarray(hashSize))
  out.set(hash, 0)
  return { bytes: out, hash }
}

const knownType = (t: number): t is PacketTypeCode => t >= 1 && t <= 6

/**
 * Whether `bytes` has a discv4 packet's size and hash (keccak256 of everything after it): a
 * datagram without one is no discv4 packet at all — discv5's, when both share the socket.
 */
export function hasPacketHash(bytes: Uint8Array): boolean {
  return (
    bytes.length >= headSize + 1 &&
    bytes.length <= maxPacketSize &&
    equalBytes(bytes.subarray(0, hashSize), getCrypto().keccak256(bytes.subarray(hashSize)))
  )
}

/**
 * Decodes a datagram: checks size and hash, recovers the sender from the signature, decodes the
 * data (EIP-8 tolerant: extra top-level list elements and trailing bytes are ignored; typed
 * fields are strict, as go-ethereum's `v4wire.Decode`). Every failure is a PacketError with a code
 * (ERR_PACKET_TOO_SMALL, ERR_PACKET_TOO_LARGE, ERR_BAD_HASH, ERR_INVALID_SIGNATURE,
 * ERR_UNKNOWN_PACKET_TYPE, ERR_BAD_PACKET with the offending `field`).
 */
export function decodePacket(bytes: Uint8Array): DecodedPacket {
  if (bytes.length < headSize + 1) {
    throw new PacketError('ERR_PACKET_TOO_SMALL', `packet of ${bytes.length} bytes is too small`)
  }
  if (bytes.length > maxPacketSize) {
    throw new PacketError('ERR_PACKET_TOO_LARGE', `packet of ${bytes.length} bytes is too large`)
  }
  const crypto = getCrypto()
  const hash = bytes.subarray(0, hashSize)
  if (!equalBytes(hash, crypto.keccak256(bytes.subarray(hashSize)))) {
    throw new PacketError('ERR_BAD_HASH', 'packet hash does not match')
  }
  const sig = bytes.subarray(hashSize, sigEnd)
  if (sig[64]! > 1) throw new PacketError('ERR_INVALID_SIGNATURE', 'signature v must be 0 or 1')
  let fromId: Uint8Array
  try {
    fromId = crypto.recover(crypto.keccak256(bytes.subarray(sigEnd)), sig)
  } catch (cause) {
    throw new PacketError('ERR_INVALID_SIGNATURE', 'cannot recover the signer', { cause })
  }
  const type = bytes[sigEnd]!
  if (!knownType(type)) {
    throw new PacketError('ERR_UNKNOWN_PACKET_TYPE', `unknown packet type ${type}`)
  }
  let packet: Packet
  try {
    packet = decodePacketData(type, decodeRlp(bytes.subarray(headSize), true))
  } catch (cause) {
    throw new PacketError('ERR_BAD_PACKET', `malformed packet data: ${(cause as Error).message}`, {
      cause,
      ...(cause instanceof PacketError && cause.field !== undefined && { field: cause.field }),
    })
  }
  return { packet, hash: hash.slice(), fromId }
}

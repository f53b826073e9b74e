import { randomBytes } from 'node:crypto'
import {
  asFixedBytes,
  asList,
  asUint,
  type CryptoBackend,
  decodeRlp,
  encodeRlp,
  getCrypto,
  type RlpItem,
} from '@x/core'
import { RlpxError } from '../errors.js'
import { constantTimeEqual, eciesDecrypt, eciesEncrypt, eciesOverhead } from './ecies.js'

/**
 * The handshake messages (rlpx.md "Initial Handshake", EIP-8): auth from initiator, ack from
 * recipient. We send the EIP-8 form (RLP list, version 4, random padding, behind a 2-byte size
 * prefix that is also the ECIES shared MAC data) and accept it and the legacy fixed-size form.
 */

/** The auth-vsn / ack-vsn we send. */
export const handshakeVersion = 4
/** Legacy (pre-EIP-8) packet sizes: ECIES of 194- and 97-byte plaintexts. */
export const legacyAuthSize = 307
export const legacyAckSize = 210
const legacyAuthPlainSize = legacyAuthSize - eciesOverhead
const legacyAckPlainSize = legacyAckSize - eciesOverhead
/** Largest EIP-8 packet body the 2-byte prefix can announce. */
export const maxHandshakePacketSize = 0xffff

export interface AuthMsg {
  /** r ‖ s ‖ v over static-shared-secret ⊕ initiator-nonce, by the initiator's ephemeral key. */
  signature: Uint8Array
  initiatorPubkey: Uint8Array
  initiatorNonce: Uint8Array
  version: number
  /** Extra list elements after the version (EIP-8 forward compatibility), ignored. */
  rest: RlpItem[]
  /** True when it came in the legacy fixed-size form. */
  legacy: boolean
  /** Legacy only: keccak256 of the initiator's ephemeral public key. */
  ephemeralHash?: Uint8Array
}

export interface AckMsg {
  recipientEphemeralPubkey: Uint8Array
  recipientNonce: Uint8Array
  version: number
  rest: RlpItem[]
  legacy: boolean
}

function bad(message: string, cause?: unknown): RlpxError {
  return new RlpxError('ERR_BAD_HANDSHAKE', message, cause === undefined ? undefined : { cause })
}

/** EIP-8 plaintext padding: random length (go-ethereum uses 100–199 bytes), random content. */
function padded(body: Uint8Array): Uint8Array {
  const pad = 100 + (randomBytes(1)[0]! % 100)
  const out = new Uint8Array(body.length + pad)
  out.set(body)
  out.set(randomBytes(pad), body.length)
  return out
}

export function encodeAuthBody(
  msg: Pick<AuthMsg, 'signature' | 'initiatorPubkey' | 'initiatorNonce'>,
): Uint8Array {
  return encodeRlp([msg.signature, msg.initiatorPubkey, msg.initiatorNonce, handshakeVersion])
}

export function encodeAckBody(
  msg: Pick<AckMsg, 'recipientEphemeralPubkey' | 'recipientNonce'>,
): Uint8Array {
  return encodeRlp([msg.recipientEphemeralPubkey, msg.recipientNonce, handshakeVersion])
}

/** Decodes an EIP-8 auth plaintext (RLP list, trailing padding ignored). */
export function decodeAuthBody(plain: Uint8Array): AuthMsg {
  try {
    const list = asList(decodeRlp(plain, true), 'auth')
    if (list.length < 4) throw bad(`auth: ${list.length} elements, want at least 4`)
    return {
      signature: asFixedBytes(list[0], 65, 'auth signature'),
      initiatorPubkey: asFixedBytes(list[1], 64, 'auth initiator-pubk'),
      initiatorNonce: asFixedBytes(list[2], 32, 'auth initiator-nonce'),
      version: asUint(list[3], 'auth-vsn'),
      rest: list.slice(4),
      legacy: false,
    }
  } catch (err) {
    throw err instanceof RlpxError ? err : bad('malformed auth body', err)
  }
}

/** Decodes an EIP-8 ack plaintext. */
export function decodeAckBody(plain: Uint8Array): AckMsg {
  try {
    const list = asList(decodeRlp(plain, true), 'ack')
    if (list.length < 3) throw bad(`ack: ${list.length} elements, want at least 3`)
    return {
      recipientEphemeralPubkey: asFixedBytes(list[0], 64, 'ack recipient-ephemeral-pubk'),
      recipientNonce: asFixedBytes(list[1], 32, 'ack recipient-nonce'),
      version: asUint(list[2], 'ack-vsn'),
      rest: list.slice(3),
      legacy: false,
    }
  } catch (err) {
    throw err instanceof RlpxError ? err : bad('malformed ack body', err)
  }
}

/** Legacy auth plaintext: sig(65) ‖ keccak(ephemeral-pubk)(32) ‖ pubk(64) ‖ nonce(32) ‖ 0x00. */
export function decodeLegacyAuth(plain: Uint8Array): AuthMsg {
  if (plain.length !== legacyAuthPlainSize) throw bad('legacy auth: wrong size')
  return {
    signature: plain.slice(0, 65),
    ephemeralHash: plain.slice(65, 97),
    initiatorPubkey: plain.slice(97, 161),
    initiatorNonce: plain.slice(161, 193),
    version: handshakeVersion,
    rest: [],
    legacy: true,
  }
}

/** Legacy ack plaintext: ephemeral-pubk(64) ‖ nonce(32) ‖ 0x00. */
export function decodeLegacyAck(plain: Uint8Array): AckMsg {
  if (plain.length !== legacyAckPlainSize) throw bad('legacy ack: wrong size')
  return {
    recipientEphemeralPubkey: plain.slice(0, 64),
    recipientNonce: plain.slice(64, 96),
    version: handshakeVersion,
    rest: [],
    legacy: true,
  }
}

/** Seals an EIP-8 body for `remotePublic`: `size(2) ‖ ecies(body ‖ padding)`. */
export function sealEip8(
  body: Uint8Array,
  remotePublic: Uint8Array,
  crypto: CryptoBackend = getCrypto(),
): Uint8Array {
  const plain = padded(body)
  const size = plain.length + eciesOverhead
  const prefix = new Uint8Array([size >> 8, size & 0xff])
  const sealed = eciesEncrypt(remotePublic, plain, prefix, crypto)
  const out = new Uint8Array(2 + sealed.length)
  out.set(prefix)
  out.set(sealed, 2)
  return out
}

export type HandshakeKind = 'auth' | 'ack'

/** A complete handshake packet read off the wire. */
export interface HandshakePacket<T> {
  msg: T
  /** The packet bytes as received (size prefix included): they seed the MAC states. */
  packet: Uint8Array
}

/**
 * Reads one auth or ack packet from the front of `buf`: `undefined` when more bytes are needed.
 * A packet starting with 0x04 is first tried as the legacy fixed-size form (an EIP-8 prefix
 * would announce ≥ 1024 bytes there, so waiting for the legacy size never over-reads). A caller
 * feeding a growing buffer passes `tryLegacy: false` once that attempt failed, so each
 * connection costs at most one ECDH for it.
 */
export function readHandshakePacket<K extends HandshakeKind>(
  kind: K,
  buf: Uint8Array,
  privateKey: Uint8Array,
  crypto: CryptoBackend = getCrypto(),
  options: { tryLegacy?: boolean } = {},
): HandshakePacket<K extends 'auth' ? AuthMsg : AckMsg> | undefined {
  type Out = HandshakePacket<K extends 'auth' ? AuthMsg : AckMsg>
  if (buf.length < 2) return undefined
  const legacySize = kind === 'auth' ? legacyAuthSize : legacyAckSize
  if (buf[0] === 0x04 && options.tryLegacy !== false) {
    if (buf.length < legacySize) return undefined
    const packet = buf.slice(0, legacySize)
    let plain: Uint8Array | undefined
    try {
      plain = eciesDecrypt(privateKey, packet, undefined, crypto)
    } catch {
      plain = undefined // not legacy: read it as EIP-8 below
    }
    if (plain) {
      const msg = kind === 'auth' ? decodeLegacyAuth(plain) : decodeLegacyAck(plain)
      return { msg, packet } as Out
    }
  }
  const size = (buf[0]! << 8) | buf[1]!
  if (size < eciesOverhead) throw bad(`${kind}: size prefix ${size} too small`)
  if (buf.length < 2 + size) return undefined
  const packet = buf.slice(0, 2 + size)
  const plain = eciesDecrypt(privateKey, packet.subarray(2), packet.subarray(0, 2), crypto)
  const msg = kind === 'auth' ? decodeAuthBody(plain) : decodeAckBody(plain)
  return { msg, packet } as Out
}

/** Checks a legacy auth's ephemeral-key hash against the key its signature recovers to. */
export function checkEphemeralHash(
  msg: AuthMsg,
  ephemeralPubkey: Uint8Array,
  crypto: CryptoBackend = getCrypto(),
): void {
  if (
    msg.ephemeralHash &&
    !constantTimeEqual(crypto.keccak256(ephemeralPubkey), msg.ephemeralHash)
  ) {
    throw bad('legacy auth: ephemeral key hash mismatch')
  }
}

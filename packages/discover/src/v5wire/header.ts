import { V5PacketError } from '../errors.js'
import { aesCtr } from './crypto.js'

/** discv5-wire.md sizes and limits (go-ethereum's v5wire constants). */
export const v5wireConstants = {
  protocolId: new TextEncoder().encode('discv5'),
  version: 1,
  maskingIvSize: 16,
  /** protocol-id ‖ version ‖ flag ‖ nonce ‖ authdata-size. */
  staticHeaderSize: 23,
  nonceSize: 12,
  idNonceSize: 16,
  /** The smallest packet: a WHOAREYOU (16 + 23 + 24). */
  minPacketSize: 63,
  maxPacketSize: 1280,
  /** Bytes after the static header of a message or handshake packet at least (src-id + tag). */
  minMessageSize: 48,
  messageAuthSize: 32,
  whoareyouAuthSize: 24,
  /** src-id ‖ sig-size ‖ eph-key-size. */
  handshakeAuthHeadSize: 34,
  /** Random message bytes of the packet that starts a handshake (go-ethereum's). */
  randomMessageSize: 20,
} as const

/** The packet kinds of the `flag` field. */
export const PacketFlag = { message: 0, whoareyou: 1, handshake: 2 } as const
export type PacketFlagValue = (typeof PacketFlag)[keyof typeof PacketFlag]

/** An unmasked header: what follows the masking-iv, in the clear. */
export interface Header {
  iv: Uint8Array
  flag: PacketFlagValue
  nonce: Uint8Array
  authdata: Uint8Array
}

const c = v5wireConstants
const staticEnd = c.maskingIvSize + c.staticHeaderSize

/** `masking-iv ‖ static-header ‖ authdata` in the clear: the AES-GCM associated data. */
export function encodeHeader(h: Header): Uint8Array {
  const out = new Uint8Array(staticEnd + h.authdata.length)
  out.set(h.iv, 0)
  out.set(c.protocolId, 16)
  out[22] = 0
  out[23] = c.version
  out[24] = h.flag
  out.set(h.nonce, 25)
  out[37] = h.authdata.length >> 8
  out[38] = h.authdata.length & 0xff
  out.set(h.authdata, staticEnd)
  return out
}

/** The header as sent: `masking-iv ‖ aesctr_encrypt(dest-id[:16], masking-iv, header)`. */
export function maskHeader(destId: Uint8Array, headerData: Uint8Array): Uint8Array {
  const out = new Uint8Array(headerData.length)
  out.set(headerData.subarray(0, c.maskingIvSize))
  out.set(
    aesCtr(destId.subarray(0, 16), headerData.subarray(0, 16), headerData.subarray(16)),
    c.maskingIvSize,
  )
  return out
}

/** A packet split into its unmasked header and the message after it. */
export interface UnmaskedPacket {
  header: Header
  /** `masking-iv ‖ header` in the clear (the message's associated data; WHOAREYOU's challenge). */
  headerData: Uint8Array
  /** The encrypted message (empty for WHOAREYOU). */
  message: Uint8Array
}

/**
 * Unmasks a packet sent to `localId` and checks its static header (size bounds, protocol id,
 * version, flag, authdata size). Throws a `V5PacketError`; a packet that is not discv5 at all
 * fails with `ERR_V5_TOO_SMALL` or `ERR_V5_BAD_PROTOCOL_ID`.
 */
export function unmaskPacket(localId: Uint8Array, data: Uint8Array): UnmaskedPacket {
  if (data.length < c.minPacketSize) {
    throw new V5PacketError('ERR_V5_TOO_SMALL', `packet of ${data.length} bytes is below 63`)
  }
  if (data.length > c.maxPacketSize) {
    throw new V5PacketError('ERR_V5_TOO_LARGE', `packet of ${data.length} bytes exceeds 1280`)
  }
  const iv = data.subarray(0, c.maskingIvSize)
  // One CTR pass over everything after the iv: the message part comes out garbled and is
  // taken from `data` instead, so the authdata needs no second cipher.
  const clear = aesCtr(localId.subarray(0, 16), iv, data.subarray(c.maskingIvSize))
  for (let i = 0; i < 6; i++) {
    if (clear[i] !== c.protocolId[i]) {
      throw new V5PacketError('ERR_V5_BAD_PROTOCOL_ID', 'not a discv5 packet')
    }
  }
  const version = (clear[6]! << 8) | clear[7]!
  if (version < c.version) {
    throw new V5PacketError('ERR_V5_BAD_VERSION', `header version ${version}`)
  }
  const flag = clear[8]!
  if (flag > PacketFlag.handshake) {
    throw new V5PacketError('ERR_V5_BAD_FLAG', `unknown packet flag ${flag}`)
  }
  const authSize = (clear[21]! << 8) | clear[22]!
  const remaining = data.length - staticEnd
  if (flag !== PacketFlag.whoareyou && remaining < c.minMessageSize) {
    throw new V5PacketError('ERR_V5_TOO_SMALL', 'message packet below minimum size')
  }
  if (authSize > remaining) {
    throw new V5PacketError('ERR_V5_BAD_AUTH_SIZE', `authdata-size ${authSize} beyond packet`)
  }
  const headerEnd = staticEnd + authSize
  const headerData = new Uint8Array(headerEnd)
  headerData.set(iv, 0)
  headerData.set(clear.subarray(0, headerEnd - c.maskingIvSize), c.maskingIvSize)
  return {
    header: {
      iv: headerData.subarray(0, 16),
      flag: flag as PacketFlagValue,
      nonce: headerData.subarray(25, 37),
      authdata: headerData.subarray(staticEnd, headerEnd),
    },
    headerData,
    message: data.subarray(headerEnd),
  }
}

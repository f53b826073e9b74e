import { concatBytes } from '@x/core'
import { V5PacketError } from '../errors.js'
import { decryptGcm, encryptGcm } from './crypto.js'
import {
  v5wireConstants as c,
  encodeHeader,
  type Header,
  maskHeader,
  PacketFlag,
  unmaskPacket,
} from './header.js'
import { decodeMessage, encodeMessage, type Message } from './messages.js'

/** An ordinary message packet (flag 0): `authdata = src-id`. */
export interface MessagePacket {
  flag: typeof PacketFlag.message
  srcId: Uint8Array
  nonce: Uint8Array
  /** The message's associated data (`masking-iv ‖ header`). */
  headerData: Uint8Array
  /** The AES-GCM ciphertext ‖ tag. */
  message: Uint8Array
}

/** A WHOAREYOU packet (flag 1): `authdata = id-nonce ‖ enr-seq`, no message. */
export interface WhoareyouPacket {
  flag: typeof PacketFlag.whoareyou
  /** The nonce of the packet that caused it. */
  nonce: Uint8Array
  idNonce: Uint8Array
  enrSeq: bigint
  /** `masking-iv ‖ static-header ‖ authdata`: the handshake's input. */
  challengeData: Uint8Array
}

/** A handshake message packet (flag 2). */
export interface HandshakePacket {
  flag: typeof PacketFlag.handshake
  srcId: Uint8Array
  nonce: Uint8Array
  signature: Uint8Array
  /** The initiator's ephemeral public key (33 bytes for "v4"). */
  ephPubkey: Uint8Array
  /** The initiator's encoded record, when it sent one. */
  record: Uint8Array | undefined
  headerData: Uint8Array
  message: Uint8Array
}

export type Packet = MessagePacket | WhoareyouPacket | HandshakePacket

/**
 * Decodes a packet sent to the node whose 32-byte ID is `localId`, without decrypting its
 * message (which needs the session keys: {@link openMessage}). Throws a `V5PacketError`.
 */
export function decodePacket(localId: Uint8Array, data: Uint8Array): Packet {
  const { header, headerData, message } = unmaskPacket(localId, data)
  const a = header.authdata
  switch (header.flag) {
    case PacketFlag.message:
      if (a.length !== c.messageAuthSize) {
        throw new V5PacketError('ERR_V5_BAD_AUTH_SIZE', `message authdata of ${a.length} bytes`)
      }
      return { flag: 0, srcId: a, nonce: header.nonce, headerData, message }
    case PacketFlag.whoareyou: {
      if (a.length !== c.whoareyouAuthSize) {
        throw new V5PacketError('ERR_V5_BAD_AUTH_SIZE', `WHOAREYOU authdata of ${a.length} bytes`)
      }
      const view = new DataView(a.buffer, a.byteOffset, a.byteLength)
      return {
        flag: 1,
        nonce: header.nonce,
        idNonce: a.subarray(0, 16),
        enrSeq: view.getBigUint64(16),
        challengeData: headerData,
      }
    }
    case PacketFlag.handshake: {
      if (a.length < c.handshakeAuthHeadSize) {
        throw new V5PacketError('ERR_V5_BAD_AUTH_SIZE', `handshake authdata of ${a.length} bytes`)
      }
      const sigSize = a[32]!
      const keySize = a[33]!
      const keyAt = c.handshakeAuthHeadSize + sigSize
      const recordAt = keyAt + keySize
      if (recordAt > a.length) {
        throw new V5PacketError('ERR_V5_BAD_AUTH_SIZE', 'handshake sig-size/eph-key-size too big')
      }
      return {
        flag: 2,
        srcId: a.subarray(0, 32),
        nonce: header.nonce,
        signature: a.subarray(c.handshakeAuthHeadSize, keyAt),
        ephPubkey: a.subarray(keyAt, recordAt),
        record: recordAt < a.length ? a.subarray(recordAt) : undefined,
        headerData,
        message,
      }
    }
  }
}

/** Decrypts and decodes the message of a message or handshake packet with the read key. */
export function openMessage(key: Uint8Array, packet: MessagePacket | HandshakePacket): Message {
  return decodeMessage(decryptGcm(key, packet.nonce, packet.message, packet.headerData))
}

function seal(destId: Uint8Array, header: Header, key: Uint8Array, message: Message): Uint8Array {
  const headerData = encodeHeader(header)
  const ct = encryptGcm(key, header.nonce, encodeMessage(message), headerData)
  return concatBytes(maskHeader(destId, headerData), ct)
}

export interface MessagePacketInit {
  destId: Uint8Array
  srcId: Uint8Array
  iv: Uint8Array
  nonce: Uint8Array
  /** The session's write key. */
  key: Uint8Array
  message: Message
}

/** An ordinary message packet carrying `message` encrypted with the session's write key. */
export function encodeMessagePacket(o: MessagePacketInit): Uint8Array {
  return seal(o.destId, { iv: o.iv, flag: 0, nonce: o.nonce, authdata: o.srcId }, o.key, o.message)
}

/**
 * The packet that starts a handshake: an ordinary message packet whose message is random bytes
 * (the recipient cannot decrypt it and answers WHOAREYOU), as discv5-theory.md step 1.
 */
export function encodeRandomPacket(o: {
  destId: Uint8Array
  srcId: Uint8Array
  iv: Uint8Array
  nonce: Uint8Array
  random: Uint8Array
}): Uint8Array {
  const headerData = encodeHeader({ iv: o.iv, flag: 0, nonce: o.nonce, authdata: o.srcId })
  return concatBytes(maskHeader(o.destId, headerData), o.random)
}

/** A WHOAREYOU packet and its challenge data (kept to verify the handshake that answers it). */
export function encodeWhoareyouPacket(o: {
  destId: Uint8Array
  iv: Uint8Array
  nonce: Uint8Array
  idNonce: Uint8Array
  enrSeq: bigint
}): { packet: Uint8Array; challengeData: Uint8Array } {
  const authdata = new Uint8Array(c.whoareyouAuthSize)
  authdata.set(o.idNonce, 0)
  new DataView(authdata.buffer).setBigUint64(16, o.enrSeq)
  const headerData = encodeHeader({ iv: o.iv, flag: 1, nonce: o.nonce, authdata })
  return { packet: maskHeader(o.destId, headerData), challengeData: headerData }
}

export interface HandshakePacketInit extends MessagePacketInit {
  signature: Uint8Array
  ephPubkey: Uint8Array
  /** Our encoded record, when the WHOAREYOU's enr-seq is below ours. */
  record?: Uint8Array | undefined
}

/** A handshake message packet: id-signature, ephemeral key, optional record, and the message. */
export function encodeHandshakePacket(o: HandshakePacketInit): Uint8Array {
  const record = o.record ?? new Uint8Array(0)
  const authdata = new Uint8Array(
    c.handshakeAuthHeadSize + o.signature.length + o.ephPubkey.length + record.length,
  )
  authdata.set(o.srcId, 0)
  authdata[32] = o.signature.length
  authdata[33] = o.ephPubkey.length
  authdata.set(o.signature, c.handshakeAuthHeadSize)
  authdata.set(o.ephPubkey, c.handshakeAuthHeadSize + o.signature.length)
  authdata.set(record, c.handshakeAuthHeadSize + o.signature.length + o.ephPubkey.length)
  return seal(o.destId, { iv: o.iv, flag: 2, nonce: o.nonce, authdata }, o.key, o.message)
}

import { randomBytes } from 'node:crypto'
import { equalBytes, toHex } from '@x/core'
import type { Enr } from '../enr/enr.js'
import { V5PacketError } from '../errors.js'
import { nodeIdHash } from '../node.js'
import {
  decodeEphemeralKey,
  deriveKeys,
  ecdh,
  generateEphemeralKey,
  makeIdSignature,
  verifyIdSignature,
} from '../v5wire/crypto.js'
import type { Message, MessageName } from '../v5wire/messages.js'
import {
  encodeHandshakePacket,
  encodeMessagePacket,
  encodeRandomPacket,
  type HandshakePacket,
  type MessagePacket,
  openMessage,
  type WhoareyouPacket,
} from '../v5wire/packet.js'
import { RecordStore } from './records.js'
import type { Challenge, Session } from './sessions.js'

/**
 * The handshake of discv5-theory.md "Handshake Steps" for both sides, and the packets that carry
 * a request: what `UDPv5` does with its session cache, without the cache.
 */

export function newSession(
  writeKey: Uint8Array,
  readKey: Uint8Array,
  enr: Enr | undefined,
): Session {
  return { writeKey, readKey, counter: 0, enr, seen: new Set() }
}

/** A message nonce: a 32-bit counter and 64 random bits (go-ethereum's generateNonce). */
export function nextNonce(s: Session): Uint8Array {
  const n = new Uint8Array(12)
  s.counter = (s.counter + 1) >>> 0
  new DataView(n.buffer).setUint32(0, s.counter)
  n.set(randomBytes(8), 4)
  return n
}

/** Opens a message with the session's read key, else with the key of the session it replaced. */
export function openWithEither(s: Session, p: MessagePacket): Message {
  try {
    return openMessage(s.readKey, p)
  } catch (e) {
    if (!s.previousReadKey) throw e
    return openMessage(s.previousReadKey, p)
  }
}

export interface RequestPacketInit {
  /** The remote's discv5 ID and its 64-byte public key. */
  destId: Uint8Array
  destKey: Uint8Array
  message: Message
  localId: Uint8Array
  privateKey: Uint8Array
  /** Our record (sent in a handshake when the WHOAREYOU's enr-seq is lower). */
  local: Enr
  /** The WHOAREYOU to answer (step 3), if any. */
  challenge: WhoareyouPacket | undefined
  /** The established session, if any. */
  session: Session | undefined
  /** The remote's record we hold (kept in a new session). */
  remote: Enr | undefined
}

/**
 * The packet that carries a request: a handshake message packet answering `challenge` (with
 * the new initiator session, to be stored), else an ordinary message packet in `session`, else
 * the random packet that starts a handshake (step 1).
 */
export function encodeRequestPacket(o: RequestPacketInit): {
  packet: Uint8Array
  nonce: Uint8Array
  kind: MessageName | 'random'
  newSession?: Session
} {
  const iv = randomBytes(16)
  const base = { destId: o.destId, srcId: o.localId, iv, message: o.message }
  if (o.challenge) {
    const cd = o.challenge.challengeData
    const eph = generateEphemeralKey()
    const keys = deriveKeys(ecdh(o.destKey, eph.privateKey), o.localId, o.destId, cd)
    const s = newSession(keys.initiatorKey, keys.recipientKey, o.remote)
    const nonce = nextNonce(s)
    const packet = encodeHandshakePacket({
      ...base,
      nonce,
      key: s.writeKey,
      signature: makeIdSignature(o.privateKey, cd, eph.publicKey, o.destId),
      ephPubkey: eph.publicKey,
      record: o.challenge.enrSeq < o.local.seq ? o.local.encode() : undefined,
    })
    return { packet, nonce, kind: o.message.type, newSession: s }
  }
  if (o.session) {
    const nonce = nextNonce(o.session)
    const packet = encodeMessagePacket({ ...base, nonce, key: o.session.writeKey })
    return { packet, nonce, kind: o.message.type }
  }
  const nonce = randomBytes(12)
  const packet = encodeRandomPacket({ ...base, nonce, random: randomBytes(20) })
  return { packet, nonce, kind: 'random' }
}

/**
 * Step 4: checks a handshake message packet against the WHOAREYOU we sent (the record it
 * carries, else the one we held; the id-signature; the ephemeral key), derives the recipient
 * session and opens the message. Throws a `V5PacketError`.
 */
export function acceptHandshake(
  p: HandshakePacket,
  challenge: Challenge,
  privateKey: Uint8Array,
  localId: Uint8Array,
): { session: Session; enr: Enr; message: Message } {
  let enr = challenge.enr
  if (p.record) {
    let sent: Enr
    try {
      sent = RecordStore.decode(p.record)
    } catch (cause) {
      throw new V5PacketError('ERR_V5_BAD_RECORD', 'handshake record does not verify', { cause })
    }
    if (!equalBytes(nodeIdHash(sent.nodeId), p.srcId)) {
      throw new V5PacketError('ERR_V5_BAD_RECORD', 'handshake record of another node')
    }
    if (!enr || enr.seq < sent.seq) enr = sent
  }
  if (!enr) throw new V5PacketError('ERR_V5_NO_RECORD', 'handshake without the record we lack')
  const cd = challenge.challengeData
  if (!verifyIdSignature(p.signature, enr.nodeId, cd, p.ephPubkey, localId)) {
    throw new V5PacketError('ERR_V5_BAD_ID_SIGNATURE', 'id-signature does not verify')
  }
  const eph = decodeEphemeralKey(p.ephPubkey)
  const keys = deriveKeys(ecdh(eph, privateKey), p.srcId, localId, cd)
  const session = newSession(keys.recipientKey, keys.initiatorKey, enr)
  const message = openMessage(session.readKey, p)
  session.seen.add(toHex(p.nonce))
  return { session, enr, message }
}

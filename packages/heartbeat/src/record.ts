import {
  asFixedBytes,
  asList,
  asString,
  asUint,
  decodeRlp,
  encodeRlp,
  fromHex,
  RlpError,
  toHex,
} from '@x/core'
import { HeartbeatError } from './errors.js'

/**
 * The heartbeat record: filecoin's `{ head, height, nickname, minerAddress }` plus what an
 * operator needs (node ID, client version, peer count, timestamp, the sender's beat period).
 *
 * Wire form (one `heartbeat/1` Beat message):
 * `rlp([version, head, height, nickname, minerAddress, nodeId, clientVersion, peerCount,
 * timestamp, period, …])`. As in EIP-8, a decoder accepts any version ≥ 1 and ignores list
 * elements after the ones it knows, so a newer sender can add fields without breaking us.
 */
export interface HeartbeatRecord {
  /** Record version the sender wrote (we write {@link heartbeatRecordVersion}). */
  version: number
  /** Hash of the sender's head block (32 bytes; zero when it has no chain). */
  head: Uint8Array
  /** Number of the head block. */
  height: number
  /** Operator-chosen name, shown on dashboards (≤ {@link maxNicknameLength} bytes). */
  nickname: string
  /** The node's coinbase/operator address (20 bytes; zero when none is configured). */
  minerAddress: Uint8Array
  /** The sender's node ID (64-byte public key); the aggregator checks it is the link's. */
  nodeId: Uint8Array
  /** Client id, as in the devp2p hello (≤ {@link maxClientVersionLength} bytes). */
  clientVersion: string
  /** Connected devp2p peers. */
  peerCount: number
  /** When the record was made (ms since the epoch, sender's clock). */
  timestamp: number
  /** The sender's beat period (ms): the aggregator's silence alert waits 3 of them. */
  period: number
}

/** The JSON form of a record (hex with 0x for bytes), as the HTTP API and webhooks print it. */
export interface HeartbeatJson {
  version: number
  head: string
  height: number
  nickname: string
  minerAddress: string
  nodeId: string
  clientVersion: string
  peerCount: number
  timestamp: number
  period: number
}

export const heartbeatRecordVersion = 1
export const headSize = 32
export const addressSize = 20
export const nodeIdSize = 64
export const maxNicknameLength = 64
export const maxClientVersionLength = 256
/** A record is ~200 bytes; larger Beat messages are rejected before decoding. */
export const maxHeartbeatSize = 1024
/** The zero address: the default miner address. */
export const zeroAddress: Uint8Array = new Uint8Array(addressSize)

const utf8 = new TextEncoder()

function bad(message: string, cause?: unknown): HeartbeatError {
  return new HeartbeatError('ERR_BAD_HEARTBEAT', message, cause === undefined ? {} : { cause })
}

function checkRecord(r: HeartbeatRecord): void {
  if (r.head.length !== headSize) throw bad(`head must be ${headSize} bytes`)
  if (r.minerAddress.length !== addressSize) throw bad(`miner address must be ${addressSize} bytes`)
  if (r.nodeId.length !== nodeIdSize) throw bad(`node ID must be ${nodeIdSize} bytes`)
  if (utf8.encode(r.nickname).length > maxNicknameLength) {
    throw bad(`nickname longer than ${maxNicknameLength} bytes`)
  }
  if (utf8.encode(r.clientVersion).length > maxClientVersionLength) {
    throw bad(`client version longer than ${maxClientVersionLength} bytes`)
  }
  for (const [name, v] of [
    ['version', r.version],
    ['height', r.height],
    ['peer count', r.peerCount],
    ['timestamp', r.timestamp],
    ['period', r.period],
  ] as const) {
    if (!Number.isSafeInteger(v) || v < 0) throw bad(`${name} must be a non-negative integer`)
  }
  if (r.version < 1) throw bad('version must be ≥ 1')
}

/** Encodes a record as the payload of a Beat message; throws `ERR_BAD_HEARTBEAT` if invalid. */
export function encodeHeartbeat(r: HeartbeatRecord): Uint8Array {
  checkRecord(r)
  return encodeRlp([
    r.version,
    r.head,
    r.height,
    r.nickname,
    r.minerAddress,
    r.nodeId,
    r.clientVersion,
    r.peerCount,
    r.timestamp,
    r.period,
  ])
}

/**
 * Decodes a Beat payload. Throws `ERR_BAD_HEARTBEAT` on anything malformed: not RLP, not a
 * list, a missing or wrongly sized field, non-canonical integers, oversized strings, version 0.
 */
export function decodeHeartbeat(payload: Uint8Array): HeartbeatRecord {
  if (payload.length > maxHeartbeatSize) {
    throw bad(`heartbeat of ${payload.length} bytes (limit ${maxHeartbeatSize})`)
  }
  let record: HeartbeatRecord
  try {
    const f = asList(decodeRlp(payload), 'heartbeat')
    if (f.length < 10) throw new RlpError(`heartbeat: ${f.length} fields, need 10`)
    record = {
      version: asUint(f[0], 'version'),
      head: asFixedBytes(f[1], headSize, 'head'),
      height: asUint(f[2], 'height'),
      nickname: asString(f[3], 'nickname'),
      minerAddress: asFixedBytes(f[4], addressSize, 'miner address'),
      nodeId: asFixedBytes(f[5], nodeIdSize, 'node ID'),
      clientVersion: asString(f[6], 'client version'),
      peerCount: asUint(f[7], 'peer count'),
      timestamp: asUint(f[8], 'timestamp'),
      period: asUint(f[9], 'period'),
    }
  } catch (err) {
    if (err instanceof RlpError) throw bad(err.message, err)
    throw err
  }
  checkRecord(record)
  return record
}

function hex(b: Uint8Array): string {
  return `0x${toHex(b)}`
}

/** `size` bytes from hex with an optional lower-case 0x; anything else is `ERR_BAD_HEARTBEAT`. */
function unhex(s: string, size: number, what: string): Uint8Array {
  const h = s.startsWith('0x') ? s.slice(2) : s
  const wrong = () => bad(`${what} must be ${size} bytes of hex`)
  if (h.length !== size * 2) throw wrong()
  let bytes: Uint8Array
  try {
    bytes = fromHex(h)
  } catch {
    throw wrong()
  }
  // fromHex also strips a 0x or 0X of its own ("0x0x…"), which the JSON form never has.
  if (bytes.length !== size) throw wrong()
  return bytes
}

/** The JSON form of a record. `nodeId` is printed without 0x, as in enode URLs. */
export function heartbeatToJson(r: HeartbeatRecord): HeartbeatJson {
  return {
    version: r.version,
    head: hex(r.head),
    height: r.height,
    nickname: r.nickname,
    minerAddress: hex(r.minerAddress),
    nodeId: hex(r.nodeId).slice(2),
    clientVersion: r.clientVersion,
    peerCount: r.peerCount,
    timestamp: r.timestamp,
    period: r.period,
  }
}

/** Parses the JSON form back; throws `ERR_BAD_HEARTBEAT` on a malformed object. */
export function heartbeatFromJson(j: HeartbeatJson): HeartbeatRecord {
  const record: HeartbeatRecord = {
    version: j.version,
    head: unhex(j.head, headSize, 'head'),
    height: j.height,
    nickname: String(j.nickname),
    minerAddress: unhex(j.minerAddress, addressSize, 'miner address'),
    nodeId: unhex(j.nodeId, nodeIdSize, 'node ID'),
    clientVersion: String(j.clientVersion),
    peerCount: j.peerCount,
    timestamp: j.timestamp,
    period: j.period,
  }
  checkRecord(record)
  return record
}

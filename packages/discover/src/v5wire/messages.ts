import {
  asBigUint,
  asBytes,
  asList,
  asUint,
  bytesToIp,
  decodeRlp,
  encodeBytes,
  encodeList,
  encodeRlp,
  encodeUint,
  ipToBytes,
  isList,
  type RlpInput,
  type RlpItem,
  readBytes,
  readUint,
  splitList,
} from '@x/core'
import { V5PacketError } from '../errors.js'

/** discv5-wire.md "Protocol Messages": the message-type byte of each message. */
export const MessageType = {
  ping: 0x01,
  pong: 0x02,
  findnode: 0x03,
  nodes: 0x04,
  talkreq: 0x05,
  talkresp: 0x06,
} as const
export type MessageName = keyof typeof MessageType

/** `request-id`: an RLP byte array of at most 8 bytes. */
export const maxRequestIdSize = 8

export interface Ping {
  type: 'ping'
  reqId: Uint8Array
  enrSeq: bigint
}
export interface Pong {
  type: 'pong'
  reqId: Uint8Array
  enrSeq: bigint
  /** The recipient's IP and UDP port as the sender saw them. */
  ip: string
  port: number
}
export interface Findnode {
  type: 'findnode'
  reqId: Uint8Array
  /** Log2 distances from the recipient, 0 for its own record. */
  distances: number[]
}
export interface Nodes {
  type: 'nodes'
  reqId: Uint8Array
  /** Number of NODES messages answering the request. */
  total: number
  /** Encoded records, verified by the receiver one by one (a bad one does not spoil the rest). */
  records: Uint8Array[]
}
export interface TalkReq {
  type: 'talkreq'
  reqId: Uint8Array
  protocol: Uint8Array
  request: Uint8Array
}
export interface TalkResp {
  type: 'talkresp'
  reqId: Uint8Array
  response: Uint8Array
}

export type Message = Ping | Pong | Findnode | Nodes | TalkReq | TalkResp

/** `message-type ‖ rlp(message-data)`: a message's plaintext. */
export function encodeMessage(m: Message): Uint8Array {
  let data: RlpInput[]
  switch (m.type) {
    case 'ping':
      data = [m.reqId, m.enrSeq]
      break
    case 'pong':
      data = [m.reqId, m.enrSeq, ipToBytes(m.ip), m.port]
      break
    case 'findnode':
      data = [m.reqId, m.distances]
      break
    case 'nodes': {
      // Records go out as received: raw encodings, never decoded and re-encoded.
      const body = encodeList([encodeBytes(m.reqId), encodeUint(m.total), encodeList(m.records)])
      return withType(MessageType.nodes, body)
    }
    case 'talkreq':
      data = [m.reqId, m.protocol, m.request]
      break
    case 'talkresp':
      data = [m.reqId, m.response]
      break
  }
  return withType(MessageType[m.type], encodeRlp(data))
}

function withType(type: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(body.length + 1)
  out[0] = type
  out.set(body, 1)
  return out
}

function reqIdOf(item: RlpItem | undefined): Uint8Array {
  const id = asBytes(item, 'request-id')
  if (id.length > maxRequestIdSize) {
    throw new V5PacketError('ERR_V5_BAD_REQUEST_ID', `request-id of ${id.length} bytes exceeds 8`)
  }
  return id
}

function decodeIp(item: RlpItem | undefined): string {
  const b = asBytes(item, 'recipient-ip')
  if (b.length !== 4 && b.length !== 16) {
    throw new V5PacketError('ERR_V5_BAD_MESSAGE', `recipient-ip of ${b.length} bytes`)
  }
  return bytesToIp(b)
}

/**
 * Decodes a message plaintext. Extra list elements are ignored (forward compatibility, as
 * go-ethereum's `rlp:"tail"`). Throws `ERR_V5_UNKNOWN_MESSAGE` for a type this implementation
 * does not speak (the topic messages), `ERR_V5_BAD_MESSAGE` / `ERR_V5_BAD_REQUEST_ID` / core's
 * `RlpError` for malformed data.
 */
export function decodeMessage(pt: Uint8Array): Message {
  if (pt.length === 0) throw new V5PacketError('ERR_V5_BAD_MESSAGE', 'empty message')
  const type = pt[0]!
  if (type === MessageType.nodes) return decodeNodes(pt.subarray(1))
  let l: RlpItem[]
  try {
    l = asList(decodeRlp(pt.subarray(1)), 'message-data')
  } catch (cause) {
    throw new V5PacketError('ERR_V5_BAD_MESSAGE', `message ${type} does not decode`, { cause })
  }
  try {
    return decodeFields(type, l)
  } catch (cause) {
    if (cause instanceof V5PacketError) throw cause
    throw new V5PacketError('ERR_V5_BAD_MESSAGE', `message ${type}: ${(cause as Error).message}`, {
      cause,
    })
  }
}

function decodeFields(type: number, l: RlpItem[]): Message {
  switch (type) {
    case MessageType.ping:
      return { type: 'ping', reqId: reqIdOf(l[0]), enrSeq: asBigUint(l[1], 'enr-seq', 8) }
    case MessageType.pong: {
      const port = asUint(l[3], 'recipient-port')
      if (port > 0xffff) throw new V5PacketError('ERR_V5_BAD_MESSAGE', 'recipient-port range')
      return {
        type: 'pong',
        reqId: reqIdOf(l[0]),
        enrSeq: asBigUint(l[1], 'enr-seq', 8),
        ip: decodeIp(l[2]),
        port,
      }
    }
    case MessageType.findnode: {
      const distances = asList(l[1], 'distances').map((d) => asUint(d, 'distance'))
      for (const d of distances) {
        if (d > 256) throw new V5PacketError('ERR_V5_BAD_MESSAGE', `distance ${d} exceeds 256`)
      }
      return { type: 'findnode', reqId: reqIdOf(l[0]), distances }
    }
    case MessageType.talkreq:
      return {
        type: 'talkreq',
        reqId: reqIdOf(l[0]),
        protocol: asBytes(l[1], 'protocol'),
        request: asBytes(l[2], 'request'),
      }
    case MessageType.talkresp:
      return { type: 'talkresp', reqId: reqIdOf(l[0]), response: asBytes(l[1], 'response') }
    default:
      throw new V5PacketError('ERR_V5_UNKNOWN_MESSAGE', `unknown message type ${type}`)
  }
}

/** NODES on the raw path: the records stay subarrays of the message, as they came. */
function decodeNodes(body: Uint8Array): Nodes {
  try {
    const f = splitList(body, 'nodes')
    if (f.length < 3) throw new V5PacketError('ERR_V5_BAD_MESSAGE', 'nodes has too few fields')
    const reqId = readBytes(f[0], 'request-id')
    if (reqId.length > maxRequestIdSize) {
      throw new V5PacketError('ERR_V5_BAD_REQUEST_ID', 'request-id exceeds 8 bytes')
    }
    const records = splitList(f[2]!, 'records')
    for (const r of records) {
      if (!isList(r)) throw new V5PacketError('ERR_V5_BAD_MESSAGE', 'record is not a list')
    }
    return { type: 'nodes', reqId, total: readUint(f[1], 'total'), records }
  } catch (cause) {
    if (cause instanceof V5PacketError) throw cause
    throw new V5PacketError('ERR_V5_BAD_MESSAGE', `nodes: ${(cause as Error).message}`, { cause })
  }
}

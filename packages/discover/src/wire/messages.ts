import {
  asBigUint,
  asBytes,
  asFixedBytes,
  asList,
  asUint,
  bytesToIp,
  decodeRlp,
  encodeRlp,
  ipToBytes,
  type RlpInput,
  type RlpItem,
} from '@x/core'
import { PacketError } from '../errors.js'
import {
  type Endpoint,
  type NeighborRecord,
  type Packet,
  PacketType,
  type PacketTypeCode,
} from './types.js'

/**
 * Packet data (the RLP list after the type byte) of each discv4 packet: pure encoders and
 * decoders. Decoders follow EIP-8: extra list elements are kept in `rest` and otherwise ignored.
 */

const TWO_64 = 1n << 64n
const TWO_63 = 1n << 63n

/** Expiration as go-ethereum reads it: a uint64 reinterpreted as int64. */
function decodeExpiration(item: RlpItem | undefined): number {
  // Up to 6 bytes is a plain non-negative number (every expiration until the year 8.9 million).
  if (item instanceof Uint8Array && item.length <= 6) return asUint(item, 'expiration')
  const v = asBigUint(item, 'expiration', 8)
  return Number(v >= TWO_63 ? v - TWO_64 : v)
}

function encodeExpiration(seconds: number): number | bigint {
  const v = Math.trunc(seconds)
  return v >= 0 ? v : BigInt(v) + TWO_64
}

function decodePort(item: RlpItem | undefined, what: string): number {
  const v = asUint(item, what)
  if (v > 0xffff) throw new PacketError('ERR_BAD_PACKET', `${what}: port out of range`)
  return v
}

/** 4- or 16-byte IP; an empty IP (some clients omit an unknown address) reads as 0.0.0.0. */
function decodeIp(item: RlpItem | undefined, what: string): string {
  const b = asBytes(item, what)
  if (b.length === 0) return '0.0.0.0'
  if (b.length !== 4 && b.length !== 16) {
    throw new PacketError('ERR_BAD_PACKET', `${what}: IP must be 4 or 16 bytes, got ${b.length}`)
  }
  return bytesToIp(b)
}

function decodeEndpoint(item: RlpItem | undefined, what: string): Endpoint {
  const l = asList(item, what)
  return {
    ip: decodeIp(l[0], `${what}.ip`),
    udp: decodePort(l[1], `${what}.udp`),
    tcp: decodePort(l[2], `${what}.tcp`),
  }
}

const encodeEndpoint = (e: Endpoint): RlpInput => [ipToBytes(e.ip), e.udp, e.tcp]

/** An optional EIP-868 enr-seq: absent, or a uint64. Anything else is an EIP-8 extra element. */
function optionalSeq(item: RlpItem | undefined): bigint | undefined {
  if (!(item instanceof Uint8Array)) return undefined
  try {
    return asBigUint(item, 'enr-seq', 8)
  } catch {
    return undefined
  }
}

const restOf = (l: RlpItem[], from: number): Uint8Array[] =>
  l.slice(from).map((x) => encodeRlp(x as RlpInput))

/** The RLP list of a packet's data. */
export function encodePacketData(p: Packet): RlpInput {
  switch (p.type) {
    case PacketType.Ping: {
      const l: RlpInput[] = [
        p.version,
        encodeEndpoint(p.from),
        encodeEndpoint(p.to),
        encodeExpiration(p.expiration),
      ]
      if (p.enrSeq !== undefined) l.push(p.enrSeq)
      return l
    }
    case PacketType.Pong: {
      const l: RlpInput[] = [encodeEndpoint(p.to), p.pingHash, encodeExpiration(p.expiration)]
      if (p.enrSeq !== undefined) l.push(p.enrSeq)
      return l
    }
    case PacketType.FindNode:
      return [p.target, encodeExpiration(p.expiration)]
    case PacketType.Neighbors:
      return [
        p.nodes.map((n) => [ipToBytes(n.ip), n.udp, n.tcp, n.id]),
        encodeExpiration(p.expiration),
      ]
    case PacketType.ENRRequest:
      return [encodeExpiration(p.expiration)]
    case PacketType.ENRResponse:
      // The record is already RLP: splice it in as an item, not as a byte string.
      return [p.requestHash, decodeRlp(p.record) as RlpInput]
  }
}

function decodeNeighbor(item: RlpItem): NeighborRecord | undefined {
  // A malformed entry is skipped, not fatal: the rest of the packet is still useful (go-ethereum
  // drops invalid entries after decoding too).
  try {
    const l = asList(item, 'neighbor')
    return {
      ip: decodeIp(l[0], 'neighbor.ip'),
      udp: decodePort(l[1], 'neighbor.udp'),
      tcp: decodePort(l[2], 'neighbor.tcp'),
      id: asFixedBytes(l[3], 64, 'neighbor.id'),
    }
  } catch {
    return undefined
  }
}

/** Decodes the data list of a packet of type `type`. Throws PacketError / RlpError. */
export function decodePacketData(type: PacketTypeCode, item: RlpItem): Packet {
  const l = asList(item, 'packet data')
  switch (type) {
    case PacketType.Ping: {
      const seq = optionalSeq(l[4])
      return {
        type,
        version: asUint(l[0], 'version'),
        from: decodeEndpoint(l[1], 'from'),
        to: decodeEndpoint(l[2], 'to'),
        expiration: decodeExpiration(l[3]),
        ...(seq !== undefined ? { enrSeq: seq } : {}),
        rest: restOf(l, seq !== undefined ? 5 : 4),
      }
    }
    case PacketType.Pong: {
      const seq = optionalSeq(l[3])
      return {
        type,
        to: decodeEndpoint(l[0], 'to'),
        pingHash: asFixedBytes(l[1], 32, 'ping-hash'),
        expiration: decodeExpiration(l[2]),
        ...(seq !== undefined ? { enrSeq: seq } : {}),
        rest: restOf(l, seq !== undefined ? 4 : 3),
      }
    }
    case PacketType.FindNode:
      return {
        type,
        target: asFixedBytes(l[0], 64, 'target'),
        expiration: decodeExpiration(l[1]),
        rest: restOf(l, 2),
      }
    case PacketType.Neighbors: {
      const nodes: NeighborRecord[] = []
      for (const n of asList(l[0], 'nodes')) {
        const rec = decodeNeighbor(n)
        if (rec) nodes.push(rec)
      }
      return { type, nodes, expiration: decodeExpiration(l[1]), rest: restOf(l, 2) }
    }
    case PacketType.ENRRequest:
      return { type, expiration: decodeExpiration(l[0]), rest: restOf(l, 1) }
    case PacketType.ENRResponse:
      return {
        type,
        requestHash: asFixedBytes(l[0], 32, 'request-hash'),
        record: encodeRlp(asList(l[1], 'record') as RlpInput),
        rest: restOf(l, 2),
      }
  }
}

/** Splits nodes into Neighbors-sized chunks (12 per packet); none gives one empty chunk. */
export function chunkNeighbors<T>(nodes: readonly T[], perPacket = 12): T[][] {
  if (nodes.length === 0) return [[]]
  const out: T[][] = []
  for (let i = 0; i < nodes.length; i += perPacket) out.push(nodes.slice(i, i + perPacket))
  return out
}

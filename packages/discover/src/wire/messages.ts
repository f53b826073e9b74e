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
 * decoders. Decoding is as strict as go-ethereum's v4wire structs: extra elements at the top level
 * of a packet are kept in `rest` and otherwise ignored (EIP-8, geth's `rlp:"tail"`), but each
 * typed field must be valid — integers canonical and within their width (uint16 ports, uint64
 * expiration and enr-seq), endpoints and neighbour nodes exactly their fields (no tail there),
 * the enr-seq (EIP-868, geth's `rlp:"optional"`) a uint64 whenever it is present. A bad field is
 * a `PacketError` (`ERR_BAD_PACKET`) whose `field` names it.
 */

const TWO_64 = 1n << 64n
const TWO_63 = 1n << 63n

/** Runs the decoder of field `name`; an RLP error becomes a PacketError naming the field. */
function field<T>(name: string, decode: () => T): T {
  try {
    return decode()
  } catch (cause) {
    if (cause instanceof PacketError) throw cause
    throw new PacketError('ERR_BAD_PACKET', (cause as Error).message, { cause, field: name })
  }
}

function bad(name: string, message: string): PacketError {
  return new PacketError('ERR_BAD_PACKET', `${name}: ${message}`, { field: name })
}

/** Expiration as go-ethereum reads it: a uint64 reinterpreted as int64. */
function decodeExpiration(item: RlpItem | undefined): number {
  return field('expiration', () => {
    // Up to 6 bytes is a plain non-negative number (every expiration until the year 8.9 million).
    if (item instanceof Uint8Array && item.length <= 6) return asUint(item, 'expiration')
    const v = asBigUint(item, 'expiration', 8)
    return Number(v >= TWO_63 ? v - TWO_64 : v)
  })
}

function encodeExpiration(seconds: number): number | bigint {
  const v = Math.trunc(seconds)
  return v >= 0 ? v : BigInt(v) + TWO_64
}

/** A canonical uint64 (go-ethereum's `uint64` and, on 64-bit hosts, `uint`). */
function decodeUint64(item: RlpItem | undefined, name: string): bigint {
  return field(name, () => asBigUint(item, name, 8))
}

function decodePort(item: RlpItem | undefined, name: string): number {
  const v = field(name, () => asUint(item, name))
  if (v > 0xffff) throw bad(name, 'integer too large for uint16')
  return v
}

/** The IP of an endpoint as a string; undefined for a byte string that is no 4- or 16-byte IP. */
function ipOf(b: Uint8Array): string | undefined {
  // An empty IP (some clients omit an unknown address) reads as 0.0.0.0.
  if (b.length === 0) return '0.0.0.0'
  return b.length === 4 || b.length === 16 ? bytesToIp(b) : undefined
}

/** A list of exactly `count` items (go-ethereum's structs without a tail field). */
function exactList(item: RlpItem | undefined, count: number, name: string): RlpItem[] {
  const l = field(name, () => asList(item, name))
  if (l.length < count) throw bad(name, `too few elements (${l.length} of ${count})`)
  if (l.length > count) throw bad(name, `too many elements (${l.length} of ${count})`)
  return l
}

function decodeEndpoint(item: RlpItem | undefined, name: string): Endpoint {
  const l = exactList(item, 3, name)
  const raw = field(`${name}.ip`, () => asBytes(l[0], `${name}.ip`))
  const ip = ipOf(raw)
  if (ip === undefined) throw bad(`${name}.ip`, `IP must be 4 or 16 bytes, got ${raw.length}`)
  return { ip, udp: decodePort(l[1], `${name}.udp`), tcp: decodePort(l[2], `${name}.tcp`) }
}

const encodeEndpoint = (e: Endpoint): RlpInput => [ipToBytes(e.ip), e.udp, e.tcp]

/** The optional EIP-868 enr-seq at `index`: absent when the list ends before it, else a uint64. */
function optionalSeq(l: RlpItem[], index: number): bigint | undefined {
  return l.length > index ? decodeUint64(l[index], 'enr-seq') : undefined
}

/** At least `count` elements: the packet's defined fields (optional ones excepted). */
function packetList(item: RlpItem, count: number): RlpItem[] {
  const l = field('packet data', () => asList(item, 'packet data'))
  if (l.length < count) {
    throw bad('packet data', `too few elements (${l.length}, at least ${count})`)
  }
  return l
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

/**
 * A node of a Neighbors packet: exactly [ip, udp, tcp, id] or the packet is malformed (as in
 * go-ethereum). An IP that is no 4- or 16-byte address is no error of the packet: that entry is
 * skipped, as go-ethereum's nodeFromRPC drops it after decoding.
 */
function decodeNeighbor(item: RlpItem, name: string): NeighborRecord | undefined {
  const l = exactList(item, 4, name)
  const raw = field(`${name}.ip`, () => asBytes(l[0], `${name}.ip`))
  const udp = decodePort(l[1], `${name}.udp`)
  const tcp = decodePort(l[2], `${name}.tcp`)
  const id = field(`${name}.id`, () => asFixedBytes(l[3], 64, `${name}.id`))
  const ip = ipOf(raw)
  return ip === undefined ? undefined : { ip, udp, tcp, id }
}

/** Decodes the data list of a packet of type `type`. Throws PacketError. */
export function decodePacketData(type: PacketTypeCode, item: RlpItem): Packet {
  switch (type) {
    case PacketType.Ping: {
      const l = packetList(item, 4)
      const seq = optionalSeq(l, 4)
      return {
        type,
        version: Number(decodeUint64(l[0], 'version')),
        from: decodeEndpoint(l[1], 'from'),
        to: decodeEndpoint(l[2], 'to'),
        expiration: decodeExpiration(l[3]),
        ...(seq !== undefined ? { enrSeq: seq } : {}),
        rest: restOf(l, 5),
      }
    }
    case PacketType.Pong: {
      const l = packetList(item, 3)
      const seq = optionalSeq(l, 3)
      return {
        type,
        to: decodeEndpoint(l[0], 'to'),
        pingHash: field('ping-hash', () => asFixedBytes(l[1], 32, 'ping-hash')),
        expiration: decodeExpiration(l[2]),
        ...(seq !== undefined ? { enrSeq: seq } : {}),
        rest: restOf(l, 4),
      }
    }
    case PacketType.FindNode: {
      const l = packetList(item, 2)
      return {
        type,
        target: field('target', () => asFixedBytes(l[0], 64, 'target')),
        expiration: decodeExpiration(l[1]),
        rest: restOf(l, 2),
      }
    }
    case PacketType.Neighbors: {
      const l = packetList(item, 2)
      const nodes: NeighborRecord[] = []
      const list = field('nodes', () => asList(l[0], 'nodes'))
      for (let i = 0; i < list.length; i++) {
        const rec = decodeNeighbor(list[i]!, `nodes[${i}]`)
        if (rec) nodes.push(rec)
      }
      return { type, nodes, expiration: decodeExpiration(l[1]), rest: restOf(l, 2) }
    }
    case PacketType.ENRRequest: {
      const l = packetList(item, 1)
      return { type, expiration: decodeExpiration(l[0]), rest: restOf(l, 1) }
    }
    case PacketType.ENRResponse: {
      const l = packetList(item, 2)
      return {
        type,
        requestHash: field('request-hash', () => asFixedBytes(l[0], 32, 'request-hash')),
        record: encodeRlp(field('record', () => asList(l[1], 'record')) as RlpInput),
        rest: restOf(l, 2),
      }
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

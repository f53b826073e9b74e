import type { NodeId } from '../node.js'

/** Packet type bytes of discv4 (devp2p discv4.md, EIP-868). */
export const PacketType = {
  Ping: 0x01,
  Pong: 0x02,
  FindNode: 0x03,
  Neighbors: 0x04,
  ENRRequest: 0x05,
  ENRResponse: 0x06,
} as const
export type PacketTypeCode = (typeof PacketType)[keyof typeof PacketType]

/** discv4 wire limits and constants, as go-ethereum's v4wire and v4_udp use them. */
export const wireConstants = {
  /** Largest datagram sent or accepted. */
  maxPacketSize: 1280,
  /** hash(32) ‖ signature(65) ‖ type(1). */
  headSize: 98,
  hashSize: 32,
  signatureSize: 65,
  /** Nodes per Neighbors packet so that each packet fits in maxPacketSize (IPv6 worst case). */
  maxNeighbors: 12,
  /** The Ping version we send. */
  pingVersion: 4,
} as const

/** An endpoint as the wire carries it: 4- or 16-byte IP (canonical string here), UDP and TCP ports. */
export interface Endpoint {
  ip: string
  udp: number
  tcp: number
}

/** A node in a Neighbors packet. */
export interface NeighborRecord extends Endpoint {
  id: NodeId
}

/**
 * Fields every packet carries for EIP-8 forward compatibility: the raw RLP of list elements
 * beyond the defined ones (ignored, kept for tests and diagnostics).
 */
interface Extra {
  rest?: Uint8Array[]
}

/**
 * `expiration` is seconds since the epoch, read as a signed 64-bit value: 2^64 − t is −t (in the
 * past), as go-ethereum reads it.
 */
export interface Ping extends Extra {
  type: typeof PacketType.Ping
  version: number
  from: Endpoint
  to: Endpoint
  expiration: number
  enrSeq?: bigint
}

export interface Pong extends Extra {
  type: typeof PacketType.Pong
  to: Endpoint
  pingHash: Uint8Array
  expiration: number
  enrSeq?: bigint
}

export interface FindNode extends Extra {
  type: typeof PacketType.FindNode
  target: NodeId
  expiration: number
}

export interface Neighbors extends Extra {
  type: typeof PacketType.Neighbors
  nodes: NeighborRecord[]
  expiration: number
}

export interface ENRRequest extends Extra {
  type: typeof PacketType.ENRRequest
  expiration: number
}

export interface ENRResponse extends Extra {
  type: typeof PacketType.ENRResponse
  requestHash: Uint8Array
  /** The node record, RLP-encoded (decode it with `Enr.decode`). */
  record: Uint8Array
}

export type Packet = Ping | Pong | FindNode | Neighbors | ENRRequest | ENRResponse

/** A decoded datagram: the packet, its hash (the reply token) and the sender recovered from the signature. */
export interface DecodedPacket {
  packet: Packet
  hash: Uint8Array
  fromId: NodeId
}

import type { Enr } from '../enr/enr.js'
import type { Node, NodeId } from '../node.js'
import { chunkNeighbors } from '../wire/messages.js'
import { type Endpoint, type Packet, PacketType, wireConstants } from '../wire/types.js'
import { udpv4Defaults } from './options.js'

/*
 * The packets UDPv4 sends, as plain data (go-ethereum's v4_udp.go builds the same): each with
 * the expiration go-ethereum uses, `expiration` seconds after `nowMs`.
 */

/** Absolute expiration (seconds since the epoch) of a packet made at `nowMs`. */
export function expirationAt(nowMs: number): number {
  return Math.trunc(nowMs / 1000) + udpv4Defaults.expirationSec
}

function endpointOf(n: Node): Endpoint {
  return { ip: n.ip, udp: n.udp, tcp: n.tcp }
}

export function pingPacket(self: Node, to: Node, enr: Enr, nowMs: number): Packet {
  return {
    type: PacketType.Ping,
    version: wireConstants.pingVersion,
    from: endpointOf(self),
    to: endpointOf(to),
    expiration: expirationAt(nowMs),
    enrSeq: enr.seq,
  }
}

/** The Pong to a Ping with `pingHash`, addressed to the Ping's source `to`. */
export function pongPacket(to: Endpoint, pingHash: Uint8Array, enr: Enr, nowMs: number): Packet {
  return { type: PacketType.Pong, to, pingHash, expiration: expirationAt(nowMs), enrSeq: enr.seq }
}

export function findNodePacket(target: NodeId, nowMs: number): Packet {
  return { type: PacketType.FindNode, target, expiration: expirationAt(nowMs) }
}

export function enrRequestPacket(nowMs: number): Packet {
  return { type: PacketType.ENRRequest, expiration: expirationAt(nowMs) }
}

/** The Neighbors answer to a FindNode: `nodes` split over packets that fit a datagram. */
export function neighborsPackets(nodes: readonly Node[], nowMs: number): Packet[] {
  return chunkNeighbors(nodes, wireConstants.maxNeighbors).map((chunk) => ({
    type: PacketType.Neighbors,
    nodes: chunk.map((n) => ({ ip: n.ip, udp: n.udp, tcp: n.tcp, id: n.id })),
    expiration: expirationAt(nowMs),
  }))
}

/** The answer to an ENRRequest with `requestHash`: our current record (EIP-868). */
export function enrResponsePacket(requestHash: Uint8Array, enr: Enr): Packet {
  return { type: PacketType.ENRResponse, requestHash, record: enr.encode() }
}

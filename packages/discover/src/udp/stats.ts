import { PacketType, wireConstants } from '../wire/types.js'
import type { DropReason, PacketName, UDPv4Stats } from './options.js'

const packetNames: Record<number, PacketName> = {
  [PacketType.Ping]: 'ping',
  [PacketType.Pong]: 'pong',
  [PacketType.FindNode]: 'findnode',
  [PacketType.Neighbors]: 'neighbors',
  [PacketType.ENRRequest]: 'enrrequest',
  [PacketType.ENRResponse]: 'enrresponse',
}

function count(byType: UDPv4Stats['receivedByType'], type: number): void {
  const name = packetNames[type]
  if (name) byType[name] = (byType[name] ?? 0) + 1
}

/**
 * The UDPv4 service's counters (go-ethereum's `discover/ingress`, `discover/egress` meters and
 * drop reasons), kept in one plain object that monitoring reads as it is.
 */
export class PacketStats {
  readonly counters: UDPv4Stats = {
    received: 0,
    pongs: 0,
    sent: 0,
    bytesReceived: 0,
    bytesSent: 0,
    receivedByType: {},
    sentByType: {},
    dropped: {},
  }

  /** A datagram arrived (before it is decoded). */
  received(bytes: number): void {
    this.counters.received++
    this.counters.bytesReceived += bytes
  }

  /** A received datagram decoded as a packet of `type`. */
  decoded(type: number): void {
    count(this.counters.receivedByType, type)
  }

  /** An encoded packet went out; its type byte follows hash and signature (discv4.md "Wire Protocol"). */
  sent(packet: Uint8Array): void {
    this.counters.sent++
    this.counters.bytesSent += packet.length
    count(this.counters.sentByType, packet[wireConstants.headSize - 1] ?? 0)
  }

  pong(): void {
    this.counters.pongs++
  }

  drop(reason: DropReason): void {
    this.counters.dropped[reason] = (this.counters.dropped[reason] ?? 0) + 1
  }
}

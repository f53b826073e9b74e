import type { Node } from '../node.js'
import { encodePacket } from '../wire/packet.js'
import type { Packet } from '../wire/types.js'
import type { PacketStats } from './stats.js'
import type { DatagramTransport, UdpAddress } from './transport.js'

/**
 * The send path of UDPv4 (go-ethereum's `UDPv4.send`/`encode`): signs packets with our key,
 * counts what goes out, and sends only while open (between `start()` and `stop()`).
 */
export class PacketSender {
  readonly #key: Uint8Array
  readonly #stats: PacketStats
  #transport: DatagramTransport | undefined

  constructor(key: Uint8Array, stats: PacketStats) {
    this.#key = key
    this.#stats = stats
  }

  /** Starts sending on `transport`. */
  open(transport: DatagramTransport): void {
    this.#transport = transport
  }

  /** Sends nothing more (on stop; the transport is closed by its owner). */
  close(): void {
    this.#transport = undefined
  }

  /** The signed datagram of `packet` and its hash (the token a reply echoes). */
  encode(packet: Packet): { bytes: Uint8Array; hash: Uint8Array } {
    return encodePacket(packet, this.#key)
  }

  /** Sends to `node`'s UDP endpoint. */
  send(bytes: Uint8Array, node: Node): void {
    this.sendTo(bytes, { ip: node.ip, port: node.udp })
  }

  sendTo(bytes: Uint8Array, to: UdpAddress): void {
    const transport = this.#transport
    if (!transport) return
    this.#stats.sent(bytes)
    transport.send(bytes, to)
  }
}

import { checkRelayIp, toHex } from '@x/core'
import { Node, type NodeId } from '../node.js'
import { type Endpoint, type Packet, PacketType } from '../wire/types.js'
import type { UDPv4Context } from './context.js'
import { udpv4Defaults } from './options.js'
import { enrResponsePacket, neighborsPackets, pongPacket } from './packets.js'
import { replyKey, replyKind } from './replies.js'
import type { Requests } from './requests.js'
import type { UdpAddress } from './transport.js'
import { bondKey } from './waiters.js'

/** The packet types that ask for an answer. */
const isRequest: Partial<Record<number, true>> = {
  [PacketType.Ping]: true,
  [PacketType.FindNode]: true,
  [PacketType.ENRRequest]: true,
}

/**
 * UDPv4's handling of decoded packets (go-ethereum's `preverify`/`handle` of each packet type):
 * Ping is answered and bonds, FindNode and ENRRequest are answered after the endpoint proof,
 * replies go to the request waiting for them.
 */
export class PacketHandlers {
  readonly #ctx: UDPv4Context
  readonly #requests: Requests

  constructor(ctx: UDPv4Context, requests: Requests) {
    this.#ctx = ctx
    this.#requests = requests
  }

  handle(packet: Packet, hash: Uint8Array, fromId: NodeId, from: UdpAddress): void {
    const ctx = this.#ctx
    if ('expiration' in packet && ctx.drift.expired(packet.expiration)) {
      ctx.counters.drop('ERR_EXPIRED')
      return
    }
    // Requests are answered within the sender's budget (admission's per-ID token bucket).
    if (isRequest[packet.type] && !ctx.admitRequest(fromId)) return
    switch (packet.type) {
      case PacketType.Ping:
        this.#onPing(packet.from.tcp, packet.to, hash, fromId, from)
        return
      case PacketType.FindNode:
        this.#onFindNode(packet.target, fromId, from)
        return
      case PacketType.ENRRequest:
        this.#onENRRequest(hash, fromId, from)
        return
      default: {
        // Pong, Neighbors, ENRResponse: only as the answer to one of our requests.
        const kind = replyKind[packet.type]
        if (!kind || !ctx.pending.dispatch(replyKey(toHex(fromId), from.ip, kind), packet, hash)) {
          ctx.counters.drop('ERR_UNSOLICITED_REPLY')
        }
      }
    }
  }

  #onPing(
    tcp: number,
    claimed: Endpoint,
    hash: Uint8Array,
    fromId: NodeId,
    from: UdpAddress,
  ): void {
    const ctx = this.#ctx
    const local = ctx.local()
    // Pong and ping-back go to the packet's source address, never to the claimed `from`.
    const to: Endpoint = { ip: from.ip, udp: from.port, tcp }
    ctx.sender.sendTo(
      ctx.sender.encode(pongPacket(to, hash, local.enr, ctx.clock.now())).bytes,
      from,
    )
    const node = new Node({ id: fromId, ip: from.ip, udp: from.port, tcp })
    const { proven, first } = ctx.bonds.onPing(fromId, from.ip)
    if (!proven) {
      // Unbonded: prove its endpoint; its pong completes the bond (Requests' pong matcher).
      this.#requests
        .ping(node)
        .catch((e: Error) => ctx.log.debug('ping-back failed', { node: `${node}`, err: e.message }))
    } else {
      ctx.markBonded(from.ip, from.port)
      ctx.emit('bonded', { node, first })
      // go-ethereum's handlePing: only bonded nodes make statements about our endpoint.
      local.endpointStatement(from.ip, claimed)
    }
    ctx.pingWaiters.wake(bondKey(node.idHex, from.ip))
  }

  #onFindNode(target: NodeId, fromId: NodeId, from: UdpAddress): void {
    const ctx = this.#ctx
    // Endpoint proof: no amplification towards an address that never answered our ping.
    if (!ctx.bonds.proven(fromId, from.ip)) {
      ctx.counters.drop('ERR_UNKNOWN_NODE')
      return
    }
    const closest = (ctx.source()?.closest(target, udpv4Defaults.bucketSize) ?? []).filter((n) =>
      checkRelayIp(from.ip, n.ip),
    )
    for (const packet of neighborsPackets(closest, ctx.clock.now())) {
      ctx.sender.sendTo(ctx.sender.encode(packet).bytes, from)
    }
  }

  #onENRRequest(hash: Uint8Array, fromId: NodeId, from: UdpAddress): void {
    const ctx = this.#ctx
    if (!ctx.bonds.proven(fromId, from.ip)) {
      ctx.counters.drop('ERR_UNKNOWN_NODE')
      return
    }
    ctx.sender.sendTo(ctx.sender.encode(enrResponsePacket(hash, ctx.local().enr)).bytes, from)
  }
}

import { type Clock, isIpv6, isSpecialNetwork, normalizeIp, type RlpInput } from '@x/core'
import { Enr } from '../enr/enr.js'
import { Node, type NodeId } from '../node.js'
import { IpTracker, type IpTrackerOptions, type UdpEndpoint } from './ip-tracker.js'
import type { UdpAddress } from './transport.js'

/** What our own node starts from. */
export interface LocalNodeInit {
  id: NodeId
  /**
   * Our bound socket: its port is advertised until a prediction names another; a specific IP
   * is the fallback of its family (go-ethereum's `SetFallbackIP`), else IPv4 falls back to
   * 127.0.0.1 (all interfaces), or has none (bound to one IPv6 address).
   */
  bound: UdpAddress
  /** Our TCP port (default: the bound UDP port). */
  tcp?: number
  /** A static IP (`--nat extip:`, a NAT gateway's answer): no prediction for its family. */
  staticIp?: string
  seq: bigint
  clock: Clock
  tracker?: IpTrackerOptions
  /** Called after each change of the advertised endpoint (the record was re-signed). */
  onChange?: (local: LocalNode) => void
}

/** One address family's endpoint sources, in go-ethereum's precedence: static, predicted, fallback. */
class FamilyEndpoint {
  staticIp: string | undefined
  fallbackIp: string | undefined
  readonly track: IpTracker

  constructor(clock: Clock, tracker: IpTrackerOptions | undefined) {
    this.track = new IpTracker(clock, tracker)
  }

  get(fallbackUdp: number): { ip: string | undefined; udp: number } {
    if (this.staticIp !== undefined) return { ip: this.staticIp, udp: fallbackUdp }
    const predicted = this.track.predictEndpoint()
    if (predicted) return predicted
    return { ip: this.fallbackIp, udp: fallbackUdp }
  }
}

/**
 * Our own node as discovery advertises it (go-ethereum's `enode.LocalNode`): the endpoint, for
 * IPv4 and IPv6 each a static IP, else the one predicted from other nodes' statements (an
 * {@link IpTracker} per family), else a fallback; and the signed record. Every change of the
 * endpoint or the entries re-signs the record with seq + 1, so a peer that sees a higher seq in
 * our Pings and Pongs asks for the new one (EIP-868).
 */
export class LocalNode {
  readonly #key: Uint8Array
  readonly #id: NodeId
  readonly #v4: FamilyEndpoint
  readonly #v6: FamilyEndpoint
  #udp: number
  #tcp: number
  #node: Node
  #ip6: { ip: string; udp: number } | undefined
  #enr: Enr
  #entries: Record<string, RlpInput> = {}
  readonly #onChange: (local: LocalNode) => void

  /** Throws core's `ERR_INVALID_IP` for a static IP that is not one. */
  constructor(privateKey: Uint8Array, init: LocalNodeInit) {
    this.#key = privateKey
    this.#id = init.id
    this.#onChange = init.onChange ?? (() => {})
    this.#udp = init.bound.port
    this.#tcp = init.tcp ?? init.bound.port
    this.#v4 = new FamilyEndpoint(init.clock, init.tracker)
    this.#v6 = new FamilyEndpoint(init.clock, init.tracker)
    const bound = isSpecialNetwork(init.bound.ip) ? undefined : init.bound.ip
    if (bound !== undefined) this.#family(bound).fallbackIp = bound
    // Bound to one IPv6 address: no IPv4 endpoint, unless one is learned.
    if (bound === undefined) this.#v4.fallbackIp = '127.0.0.1'
    if (init.staticIp !== undefined) {
      const ip = normalizeIp(init.staticIp)
      this.#family(ip).staticIp = ip
    }
    const { node, ip6 } = this.#current()
    this.#node = node
    this.#ip6 = ip6
    this.#enr = this.#sign(init.seq)
  }

  /** Our ID with the advertised IPv4 endpoint (the IPv6 one when we have no IPv4 address). */
  get node(): Node {
    return this.#node
  }

  /** Our advertised IPv6 endpoint, when we have one beside the IPv4 one. */
  get ip6(): { ip: string; udp: number } | undefined {
    return this.#ip6
  }

  get enr(): Enr {
    return this.#enr
  }

  /** Statements in the window per family (for logs). */
  get statements(): { v4: number; v6: number } {
    return { v4: this.#v4.track.size, v6: this.#v6.track.size }
  }

  /**
   * Sets a static IP (for its family; no prediction for it from now on) and/or the TCP port.
   * Returns true when the record changed (it was re-signed).
   */
  updateEndpoint(endpoint: { ip?: string; tcp?: number }): boolean {
    if (endpoint.ip !== undefined) {
      const ip = normalizeIp(endpoint.ip)
      this.#family(ip).staticIp = ip
    }
    if (endpoint.tcp !== undefined) this.#tcp = endpoint.tcp
    return this.#update()
  }

  /**
   * Host `from` says our UDP endpoint is `endpoint` (the `to` of its Pong, go-ethereum's
   * `UDPEndpointStatement`). Returns true when the prediction, and so the record, changed.
   */
  endpointStatement(from: string, endpoint: UdpEndpoint): boolean {
    let ip: string
    try {
      ip = normalizeIp(endpoint.ip)
    } catch {
      return false
    }
    // An unspecified or special address says nothing about where we can be reached.
    if (isSpecialNetwork(ip) || endpoint.udp === 0) return false
    this.#family(ip).track.addStatement(from, { ip, udp: endpoint.udp })
    return this.#update()
  }

  /** We sent our endpoint to `to` (go-ethereum's `UDPContact`). */
  contact(to: string): void {
    this.#family(to).track.addContact(to)
  }

  /** Adds or replaces entries other than the identity and endpoint ones (e.g. `eth`). */
  setEntries(entries: Record<string, RlpInput>): void {
    this.#entries = { ...this.#entries, ...entries }
    this.#enr = this.#sign(this.#enr.seq + 1n)
  }

  #family(ip: string): FamilyEndpoint {
    return isIpv6(ip) ? this.#v6 : this.#v4
  }

  #current(): { node: Node; ip6: { ip: string; udp: number } | undefined } {
    const v4 = this.#v4.get(this.#udp)
    const v6 = this.#v6.get(this.#udp)
    const main =
      v4.ip !== undefined ? { ip: v4.ip, udp: v4.udp } : { ip: v6.ip ?? '127.0.0.1', udp: v6.udp }
    const node = new Node({ id: this.#id, ip: main.ip, udp: main.udp, tcp: this.#tcp })
    const ip6 = v4.ip !== undefined && v6.ip !== undefined ? { ip: v6.ip, udp: v6.udp } : undefined
    return { node, ip6 }
  }

  #update(): boolean {
    const { node, ip6 } = this.#current()
    const same6 = ip6?.ip === this.#ip6?.ip && ip6?.udp === this.#ip6?.udp
    if (node.equals(this.#node) && same6) return false
    this.#node = node
    this.#ip6 = ip6
    this.#enr = this.#sign(this.#enr.seq + 1n)
    this.#onChange(this)
    return true
  }

  #sign(seq: bigint): Enr {
    const { ip, udp, tcp } = this.#node
    return Enr.create({
      privateKey: this.#key,
      seq,
      ip,
      udp,
      tcp,
      ...(this.#ip6 && { ip6: this.#ip6.ip, udp6: this.#ip6.udp, tcp6: tcp }),
      entries: this.#entries,
    })
  }
}

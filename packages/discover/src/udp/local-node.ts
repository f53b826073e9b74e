import { type Clock, isIpv6, isSpecialNetwork, type RlpInput } from '@x/core'
import { Enr } from '../enr/enr.js'
import { Node, type NodeId } from '../node.js'
import { IpTracker, type IpTrackerOptions, type UdpEndpoint } from './ip-tracker.js'

/** What our own node starts from; the IPs are the fallbacks until something better is known. */
export interface LocalNodeInit {
  id: NodeId
  /** Our bound UDP port: advertised until a prediction names another. */
  udp: number
  tcp: number
  /**
   * Advertised IPv4 address when there is no static IP and no prediction (default 127.0.0.1,
   * as go-ethereum's `SetFallbackIP`, unless bound to one IPv6 address).
   */
  fallbackIp?: string
  /** Advertised IPv6 address likewise (set when we are bound to one IPv6 address). */
  fallbackIp6?: string
  /** Static IPs (`--nat extip:`, a NAT gateway's answer): no prediction for that family. */
  staticIp?: string
  staticIp6?: string
  seq: bigint
  clock: Clock
  tracker?: IpTrackerOptions
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

const usable = (ip: string | undefined) =>
  ip !== undefined && ip !== '0.0.0.0' && ip !== '::' ? ip : undefined

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

  constructor(privateKey: Uint8Array, init: LocalNodeInit) {
    this.#key = privateKey
    this.#id = init.id
    this.#udp = init.udp
    this.#tcp = init.tcp
    this.#v4 = new FamilyEndpoint(init.clock, init.tracker)
    this.#v6 = new FamilyEndpoint(init.clock, init.tracker)
    this.#v6.fallbackIp = usable(init.fallbackIp6)
    // Bound to one IPv6 address: no IPv4 endpoint, unless one is learned.
    this.#v4.fallbackIp =
      usable(init.fallbackIp) ?? (this.#v6.fallbackIp === undefined ? '127.0.0.1' : undefined)
    if (init.staticIp !== undefined) this.#family(init.staticIp).staticIp = init.staticIp
    if (init.staticIp6 !== undefined) this.#v6.staticIp = init.staticIp6
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
    if (endpoint.ip !== undefined) this.#family(endpoint.ip).staticIp = endpoint.ip
    if (endpoint.tcp !== undefined) this.#tcp = endpoint.tcp
    return this.#update()
  }

  /**
   * Host `from` says our UDP endpoint is `endpoint` (the `to` of its Pong, go-ethereum's
   * `UDPEndpointStatement`). Returns true when the prediction, and so the record, changed.
   */
  endpointStatement(from: string, endpoint: UdpEndpoint): boolean {
    // An unspecified or special address says nothing about where we can be reached.
    if (isSpecialNetwork(endpoint.ip) || endpoint.udp === 0) return false
    this.#family(endpoint.ip).track.addStatement(from, endpoint)
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

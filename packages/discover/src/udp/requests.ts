import type { Enr } from '../enr/enr.js'
import type { Node, NodeId } from '../node.js'
import type { Endpoint } from '../wire/types.js'
import type { UDPv4Context } from './context.js'
import { udpv4Defaults } from './options.js'
import { enrRequestPacket, findNodePacket, pingPacket } from './packets.js'
import {
  enrMatcher,
  neighborsMatcher,
  pongMatcher,
  type ReplyKind,
  type ReplyMatcher,
  replyKey,
} from './replies.js'
import { bondKey } from './waiters.js'

/**
 * UDPv4's outgoing requests (go-ethereum's `ping`, `ensureBond`, `findnode`, `RequestENR`):
 * each sends one packet and waits for its reply through the pending-reply matchers.
 */
export class Requests {
  readonly #ctx: UDPv4Context

  constructor(ctx: UDPv4Context) {
    this.#ctx = ctx
  }

  /** Pings `node` and resolves on its Pong (an endpoint proof for the node). */
  ping(node: Node, signal?: AbortSignal): Promise<{ enrSeq?: bigint }> {
    const ctx = this.#ctx
    try {
      ctx.assertOpen()
    } catch (e) {
      return Promise.reject(e)
    }
    const local = ctx.local()
    const { hash, bytes } = ctx.sender.encode(
      pingPacket(local.node, node, local.enr, ctx.clock.now()),
    )
    const reply = this.#expect(
      node,
      'pong',
      pongMatcher(node, hash, (to) => this.#onPongAccepted(node, to)),
      signal,
    )
    local.contact(node.ip)
    ctx.expectReply(node.ip, node.udp, 1)
    ctx.sender.send(bytes, node)
    return reply
  }

  /**
   * Bonds with `node`: pings it unless it pinged us within the bond lifetime, then waits up to
   * the response timeout for its ping back (so it accepts our FindNode/ENRRequest).
   */
  async bond(node: Node, options: { signal?: AbortSignal; force?: boolean }): Promise<void> {
    const ctx = this.#ctx
    const fresh = ctx.bonds.pingedUs(node.id, node.ip)
    const fails = ctx.db.findFails(node.id, node.ip)
    if (fresh && !options.force && fails <= udpv4Defaults.maxFindnodeFailures) return
    await this.ping(node, options.signal)
    if (ctx.bonds.pingedUs(node.id, node.ip)) return
    await ctx.pingWaiters.wait(bondKey(node.idHex, node.ip), ctx.respTimeoutMs, options.signal)
  }

  /** Asks `node` for the nodes closest to `target`, bonding first if needed (up to 16 nodes). */
  async findnode(node: Node, target: NodeId, signal?: AbortSignal): Promise<Node[]> {
    const ctx = this.#ctx
    await this.bond(node, signal ? { signal } : {})
    ctx.assertOpen()
    const reply = this.#expect(
      node,
      'neighbors',
      neighborsMatcher(node, ctx.netrestrict, () => ctx.counters.drop('bad-neighbor')),
      signal,
    )
    // 16 nodes come in two Neighbors packets (12 + 4, go-ethereum's chunks).
    ctx.expectReply(node.ip, node.udp, 2)
    ctx.sender.send(ctx.sender.encode(findNodePacket(target, ctx.clock.now())).bytes, node)
    return reply
  }

  /** Asks `node` for its current record (EIP-868), bonding first if needed. */
  async requestENR(node: Node, signal?: AbortSignal): Promise<Enr> {
    const ctx = this.#ctx
    await this.bond(node, signal ? { signal } : {})
    ctx.assertOpen()
    const { hash, bytes } = ctx.sender.encode(enrRequestPacket(ctx.clock.now()))
    const reply = this.#expect(node, 'enr', enrMatcher(node, hash), signal)
    ctx.expectReply(node.ip, node.udp, 1)
    ctx.sender.send(bytes, node)
    return reply
  }

  #onPongAccepted(node: Node, to: Endpoint): void {
    const ctx = this.#ctx
    ctx.counters.pong()
    ctx.markBonded(node.ip, node.udp)
    // go-ethereum's verifyPong: every Pong is a statement about our endpoint.
    ctx.local().endpointStatement(node.ip, to)
    if (ctx.bonds.onPong(node.id, node.ip)) ctx.emit('bonded', { node, first: true })
  }

  /** Registers a request's matcher for the `kind` reply from `node`. */
  #expect<T>(
    node: Node,
    kind: ReplyKind,
    matcher: ReplyMatcher<T>,
    signal: AbortSignal | undefined,
  ): Promise<T> {
    return this.#ctx.pending.expect(replyKey(node.idHex, node.ip, kind), {
      ...matcher,
      timeoutMs: this.#ctx.respTimeoutMs,
      signal,
    })
  }
}

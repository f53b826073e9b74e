import { equalBytes, TimeoutError } from '@x/core'
import { Enr } from '../enr/enr.js'
import { EnrError } from '../errors.js'
import type { Node } from '../node.js'
import { type Endpoint, PacketType } from '../wire/types.js'
import { neighborNode } from './netutil.js'
import { udpv4Defaults } from './options.js'
import type { ExpectOptions } from './pending.js'

/**
 * The reply side of UDPv4's requests: which reply a request waits for, the key replies are
 * matched by, and the matcher each request hands to `PendingReplies`.
 */
export type ReplyKind = 'pong' | 'neighbors' | 'enr'

/** The reply kind of each reply packet type (requests have none). */
export const replyKind: Partial<Record<number, ReplyKind>> = {
  [PacketType.Pong]: 'pong',
  [PacketType.Neighbors]: 'neighbors',
  [PacketType.ENRResponse]: 'enr',
}

/** The key a reply of `kind` from node `idHex` at `ip` is matched by. */
export function replyKey(idHex: string, ip: string, kind: ReplyKind): string {
  return `${idHex}|${ip}|${kind}`
}

/** What a request expects of its replies, without the timeout and signal. */
export type ReplyMatcher<T> = Pick<ExpectOptions<T>, 'onPacket' | 'onTimeout'>

/** The Pong echoing our Ping's `pingHash`; `onAccepted` runs with its `to` when it arrives. */
export function pongMatcher(
  node: Node,
  pingHash: Uint8Array,
  onAccepted: (to: Endpoint) => void,
): ReplyMatcher<{ enrSeq?: bigint }> {
  return {
    onPacket: (p) => {
      if (p.type !== PacketType.Pong || !equalBytes(p.pingHash, pingHash)) return undefined
      onAccepted(p.to)
      return { done: true, value: p.enrSeq === undefined ? {} : { enrSeq: p.enrSeq } }
    },
    onTimeout: () => new TimeoutError(`no pong from ${node}`),
  }
}

/**
 * The Neighbors answering our FindNode to `node`: up to 16 distinct nodes, each allowed by
 * `allowIp` and relayable from `node` (else `onBad` runs and it is skipped).
 */
export function neighborsMatcher(
  node: Node,
  allowIp: (ip: string) => boolean,
  onBad: () => void,
): ReplyMatcher<Node[]> {
  const nodes: Node[] = []
  const seen = new Set<string>()
  let packets = 0
  return {
    onPacket: (p) => {
      if (p.type !== PacketType.Neighbors) return undefined
      packets++
      for (const rec of p.nodes) {
        const n = allowIp(rec.ip) ? neighborNode(node.ip, rec) : undefined
        if (!n) onBad()
        if (!n || seen.has(n.idHex) || nodes.length >= udpv4Defaults.bucketSize) continue
        seen.add(n.idHex)
        nodes.push(n)
      }
      return nodes.length >= udpv4Defaults.bucketSize
        ? { done: true, value: nodes }
        : { done: false }
    },
    // Fewer than 16 nodes is a complete answer once at least one Neighbors arrived.
    onTimeout: () =>
      packets > 0 ? { value: nodes } : new TimeoutError(`no neighbors from ${node}`),
  }
}

/** The ENRResponse echoing our ENRRequest's `requestHash`: `node`'s own, valid record. */
export function enrMatcher(node: Node, requestHash: Uint8Array): ReplyMatcher<Enr> {
  return {
    onPacket: (p) => {
      if (p.type !== PacketType.ENRResponse || !equalBytes(p.requestHash, requestHash)) {
        return undefined
      }
      try {
        const enr = Enr.decode(p.record)
        if (!equalBytes(enr.nodeId, node.id)) {
          return {
            done: true,
            error: new EnrError('ERR_ENR_BAD_ENTRY', 'record is of another node'),
          }
        }
        return { done: true, value: enr }
      } catch (error) {
        return { done: true, error: error as Error }
      }
    },
    onTimeout: () => new TimeoutError(`no ENR response from ${node}`),
  }
}

import { checkRelayIp } from '@x/core'
import { isValidNodeId, Node, type NodeId } from '../node.js'

/**
 * A Neighbors entry from `sender` as a Node, or undefined when it must be rejected: UDP port
 * ≤ 1024, special-purpose or unrelayable IP, or an ID that is not a secp256k1 point.
 */
export function neighborNode(
  sender: string,
  rec: { ip: string; udp: number; tcp: number; id: NodeId },
): Node | undefined {
  if (rec.udp <= 1024 || !checkRelayIp(sender, rec.ip) || !isValidNodeId(rec.id)) return undefined
  return new Node(rec)
}

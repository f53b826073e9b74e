import type { Enr } from './enr/enr.js'
import type { Node, NodeId } from './node.js'

/**
 * What the Kademlia table needs from a discovery wire protocol (go-ethereum's `transport`
 * interface of `p2p/discover/table.go`). The discv4 UDP service implements it; table tests use
 * an in-memory fake. Both methods reject with a typed error on timeout or abort.
 */
export interface DiscoveryTransport {
  /** Our own node (ID and endpoint). */
  readonly self: Node
  /**
   * Pings `node` and resolves when its pong arrives (the endpoint proof). `enrSeq` is the
   * sequence number of the node's record when its pong carried one (EIP-868).
   */
  ping(node: Node, options?: { signal?: AbortSignal }): Promise<{ enrSeq?: bigint }>
  /**
   * Asks `node` for the nodes it knows closest to `target` (a node ID; the remote measures
   * distance to its keccak256). Bonds with `node` first when needed. Resolves with up to 16
   * nodes (possibly gathered from several Neighbors packets).
   */
  findnode(node: Node, target: NodeId, options?: { signal?: AbortSignal }): Promise<Node[]>
  /**
   * Asks `node` for its current record (EIP-868). Optional: the table calls it during
   * revalidation when a Pong announces a newer record sequence number than the one it holds.
   */
  requestENR?(node: Node, options?: { signal?: AbortSignal }): Promise<Enr>
  /**
   * True when an empty `findnode` answer is still an answer (discv5: NODES for the distances
   * asked may hold none); lookups then keep the node. Default false (discv4: an empty
   * Neighbors counts as a failure).
   */
  readonly emptyFindnodeIsAnswer?: boolean
}

/**
 * Where the wire protocol takes the nodes it answers FindNode with: the table's `closest`
 * (by XOR distance from keccak256(target)).
 */
export interface NodeSource {
  closest(target: NodeId, n: number): Node[]
}

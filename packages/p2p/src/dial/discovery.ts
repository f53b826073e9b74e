import type { Enr, Node, NodeId } from '@x/discover'

/**
 * What the dial scheduler needs from discovery: the Kademlia table (or the discovery facade in
 * front of it). Structural, so a fake serves in tests.
 */
export interface DialDiscovery {
  /** Up to `n` random nodes from the table, without waiting. */
  readRandomNodes(n: number): Node[]
  /** An endless stream of nodes found by random lookups; ends when `signal` aborts. */
  randomNodes(options: { signal: AbortSignal }): AsyncIterableIterator<Node>
  /** Our discovery endpoint (optional): `nodeInfo()` takes our IP and discovery port from it. */
  readonly self?: Node
  /** The current record of node `id` (a lookup when needed), or undefined. */
  resolve(id: NodeId, options: { signal: AbortSignal }): Promise<Node | undefined>
  /** Asks `node` for its record (EIP-868); needed when the scheduler has a dial filter. */
  requestENR?(node: Node, options: { signal: AbortSignal }): Promise<Enr>
}

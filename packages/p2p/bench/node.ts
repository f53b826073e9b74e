// One devp2p node of a session benchmark, whichever library it is: the worker (endpoint.ts)
// drives this interface, node-ours.ts and node-ejs.ts implement it on each library's public
// API. Messages are RLP lists of one byte string (`[payload]`), encoded and decoded by the
// library as its users' protocols do.

export type Impl = 'ours-fast' | 'ours-noble' | 'ethereumjs'
export const impls: readonly Impl[] = ['ours-fast', 'ours-noble', 'ethereumjs']

export interface BenchSession {
  /** Sends `[payload]` with message `code` (codes from payload.ts). */
  send(code: number, payload: Uint8Array): Promise<void> | void
  /** Called with each received message's code and its payload (the list's one item). */
  onMessage: (code: number, payload: Uint8Array) => void
  /** Ends the session (Disconnect: client quitting). */
  disconnect(): void
  /** Settles when this node has removed the peer. */
  readonly closed: Promise<void>
}

export interface DialOptions {
  /** 'hello': resolve once the hello exchange is done (the handshake benchmark); 'session':
   * once messages can flow (ethereumjs: after its ETH Status exchange, which it requires). */
  ready: 'hello' | 'session'
  /** Dial with a fresh node key (many sessions to one listener). */
  freshKey?: boolean
}

export interface BenchNode {
  readonly impl: Impl
  readonly id: Uint8Array
  /** Listens on 127.0.0.1 (ephemeral port); resolves with the port. */
  listen(maxPeers: number): Promise<number>
  dial(id: Uint8Array, port: number, options: DialOptions): Promise<BenchSession>
  /** Inbound sessions, once ready for messages. */
  onSession: (s: BenchSession) => void
  /** Called when an inbound peer has been removed. */
  onRemoved: () => void
  sessionCount(): number
  stop(): Promise<void>
}

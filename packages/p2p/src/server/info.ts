/** `admin_nodeInfo` of go-ethereum: who we are. */
export interface NodeInfo {
  /** keccak256 of the node ID, hex (go-ethereum's enode.ID). */
  id: string
  /** Our client id, sent in the hello. */
  name: string
  enode: string
  ip: string
  ports: { discovery: number; listener: number }
  listenAddr: string
  /** Per protocol name: the protocol's `nodeInfo()`, or "unknown". */
  protocols: Record<string, unknown>
}

/** One entry of go-ethereum's `admin_peers`. */
export interface PeerInfo {
  /** enode URL of the remote (its address and, when it listens, its hello's listen port). */
  enode: string
  /** keccak256 of the node ID, hex. */
  id: string
  /** The remote's client id. */
  name: string
  /** The remote's capabilities, as `name/version`. */
  caps: string[]
  network: {
    localAddress: string
    remoteAddress: string
    inbound: boolean
    trusted: boolean
    static: boolean
  }
  /** Per running protocol: the protocol's `peerInfo(id)`, or "handshake" before it has one. */
  protocols: Record<string, unknown>
}

import { DisconnectReason } from '@x/p2p'
import { EthError } from './errors.js'
import type { EthPeer, PeerHead } from './peer.js'

/**
 * The set of eth peers (go-ethereum's `peerSet`), bounded by `maxPeers`. Registering when
 * closed, when full or twice is an error; `close` disconnects every peer.
 */
export class PeerSet {
  readonly #peers = new Map<string, EthPeer>()
  #closed = false

  constructor(readonly maxPeers = Number.POSITIVE_INFINITY) {}

  register(peer: EthPeer): void {
    if (this.#closed) throw new EthError('ERR_PEER_SET_CLOSED', 'peer set closed')
    if (this.#peers.has(peer.id)) {
      throw new EthError(
        'ERR_PEER_ALREADY_REGISTERED',
        `peer ${peer.id.slice(0, 16)} already registered`,
      )
    }
    if (this.#peers.size >= this.maxPeers) {
      throw new EthError('ERR_PEER_SET_CLOSED', `peer set full (${this.maxPeers})`)
    }
    this.#peers.set(peer.id, peer)
  }

  unregister(id: string): void {
    if (!this.#peers.delete(id)) {
      throw new EthError('ERR_PEER_NOT_REGISTERED', `peer ${id.slice(0, 16)} not registered`)
    }
  }

  peer(id: string): EthPeer | undefined {
    return this.#peers.get(id)
  }

  get len(): number {
    return this.#peers.size
  }

  get closed(): boolean {
    return this.#closed
  }

  all(): EthPeer[] {
    return [...this.#peers.values()]
  }

  /** Peers that do not know transaction `hash`. */
  peersWithoutTx(hash: Uint8Array): EthPeer[] {
    return this.all().filter((p) => !p.knowsTransaction(hash))
  }

  /** Peers that do not know block `hash`. */
  peersWithoutBlock(hash: Uint8Array): EthPeer[] {
    return this.all().filter((p) => !p.knowsBlock(hash))
  }

  /**
   * The peer with the best chain: by total difficulty between peers that announced one (eth/68),
   * by head number between peers that announced one (eth/69, or after a NewBlock); a peer with
   * a known number ranks above one with only a difficulty (post-merge difficulty is frozen).
   */
  bestPeer(): EthPeer | undefined {
    let best: EthPeer | undefined
    for (const p of this.#peers.values()) {
      if (!best || better(p.head, best.head)) best = p
    }
    return best
  }

  /** Disconnects every peer (client quitting) and refuses new registrations. */
  close(): void {
    this.#closed = true
    for (const p of this.#peers.values()) p.peer.disconnect(DisconnectReason.ClientQuitting)
  }
}

function better(a: PeerHead, b: PeerHead): boolean {
  if (a.number !== undefined && b.number !== undefined) return a.number > b.number
  if (a.number !== undefined) return true
  if (b.number !== undefined) return false
  return (a.td ?? 0n) > (b.td ?? 0n)
}

import { DisconnectReason } from '@x/p2p'
import { EthError } from './errors.js'
import type { EthPeer, PeerHead } from './peer.js'

/**
 * Orders two peers by node id (128 hex characters), best first, as a sort comparator: negative
 * when `a` is the better peer to ask. @x/health's `HealthTracker.compare` is one (healthy and
 * fast first); eth itself measures nothing.
 */
export type ComparePeers = (a: string, b: string) => number

/**
 * The set of eth peers (go-ethereum's `peerSet`), bounded by `maxPeers`. Registering when
 * closed, when full or twice is an error; `close` disconnects every peer. An injected
 * {@link ComparePeers} ranks the peers for the fetchers (`ranked`) and breaks `bestPeer`'s ties;
 * without one, peers keep registration order.
 */
export class PeerSet {
  readonly #peers = new Map<string, EthPeer>()
  readonly #compare: ComparePeers | undefined
  #closed = false

  constructor(
    readonly maxPeers = Number.POSITIVE_INFINITY,
    compare?: ComparePeers,
  ) {
    this.#compare = compare
  }

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
   * `peers` (default: every registered peer) best first by the ranking; a stable sort, so peers
   * the ranking cannot tell apart keep their order. A copy, in the given order, without one.
   */
  ranked(peers: Iterable<EthPeer> = this.#peers.values()): EthPeer[] {
    const list = [...peers]
    const compare = this.#compare
    if (compare && list.length > 1) list.sort((a, b) => compare(a.id, b.id))
    return list
  }

  /**
   * The peer with the best chain: by total difficulty between peers that announced one (eth/68),
   * by head number between peers that announced one (eth/69, or after a NewBlock); a peer with
   * a known number ranks above one with only a difficulty (post-merge difficulty is frozen).
   * Between equal heads, the better ranked peer.
   */
  bestPeer(): EthPeer | undefined {
    let best: EthPeer | undefined
    for (const p of this.#peers.values()) {
      if (!best) {
        best = p
        continue
      }
      const c = compareHeads(p.head, best.head)
      if (c > 0 || (c === 0 && this.#compare && this.#compare(p.id, best.id) < 0)) best = p
    }
    return best
  }

  /** Disconnects every peer (client quitting) and refuses new registrations. */
  close(): void {
    this.#closed = true
    for (const p of this.#peers.values()) p.peer.disconnect(DisconnectReason.ClientQuitting)
  }
}

/** Positive when head `a` is ahead of `b`, negative when behind, 0 when level. */
function compareHeads(a: PeerHead, b: PeerHead): number {
  if (a.number !== undefined && b.number !== undefined) return Math.sign(a.number - b.number)
  if (a.number !== undefined) return 1
  if (b.number !== undefined) return -1
  const ta = a.td ?? 0n
  const tb = b.td ?? 0n
  return ta > tb ? 1 : ta < tb ? -1 : 0
}

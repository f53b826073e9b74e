import type { Logger } from '@x/core'
import { encodeList, equalBytes, splitList, toHex } from '@x/core'
import type { ChainReader } from './backend.js'
import { headerHash, headerNumber } from './header.js'
import { KnownCache } from './known-cache.js'
import type { EthPeer } from './peer.js'

/** Announced block hashes remembered as fetched (or being fetched). */
const maxFetchingBlocks = 256
/** Blocks requested per round while catching up with a peer. */
const batch = 64

/**
 * Brings announced blocks into a chain that can import them (`ChainReader.insertBlock`), after
 * go-ethereum's block fetcher: a block announced at our head + 1 is fetched (header, then body)
 * and imported; with `followPeers`, a peer whose head is further ahead (eth/69 Status or
 * BlockRangeUpdate, NewBlock) is followed in batches of {@link batch} until we reach its head.
 * One catch-up at a time (the best head announced meanwhile is followed next); chains without
 * `insertBlock` only relay. Which peer is asked is chosen per block and per batch from `peers`
 * (the live peers, best ranked first): the best that has what we need (knows the announced
 * block; its head reaches the batch), so requests move off a peer as soon as it ranks lower.
 */
export class BlockFetcher {
  readonly #fetching = new KnownCache(maxFetchingBlocks)
  #syncing = false
  /**
   * The highest head announced while a catch-up ran, followed once it ends (one slot: only the
   * best is kept). Without it a head announced meanwhile is lost, and an eth/69 peer such as
   * geth announces its head only every 32 blocks (BlockRangeUpdate).
   */
  #next: { peer: EthPeer; number: number } | undefined
  #closed = false

  constructor(
    private readonly chain: ChainReader,
    private readonly logger: Logger,
    /** Whether to catch up with peers further ahead than one block (else only head + 1). */
    private readonly followPeers: boolean,
    /** The live peers, best first (`PeerSet.ranked`); default only the announcing peer. */
    private readonly peers: () => EthPeer[] = () => [],
  ) {}

  /** A peer announced block `hash` at `number` (NewBlockHashes). */
  announced(peer: EthPeer, hash: Uint8Array, number: number): void {
    if (!this.chain.insertBlock || this.chain.headerByHash(hash)) return
    const head = this.chain.head().number
    if (number > head + 1) {
      this.follow(peer, number)
      return
    }
    if (number !== head + 1 || this.#fetching.has(hash)) return
    this.#fetching.add(hash)
    this.#fetchOne(peer, hash).catch((err: unknown) => this.#failed(peer, err))
  }

  /** The peer's head is block `number`: catch up with it when it is ahead of ours. */
  follow(peer: EthPeer, number: number | undefined): void {
    if (!this.followPeers || !this.chain.insertBlock || this.#closed) return
    if (number === undefined || number <= this.chain.head().number) return
    if (this.#syncing) {
      if (number > (this.#next?.number ?? -1)) this.#next = { peer, number }
      return
    }
    this.#syncing = true
    this.#catchUp(peer, number)
      .catch((err: unknown) => this.#failed(peer, err))
      .finally(() => {
        this.#syncing = false
        const next = this.#next
        this.#next = undefined
        if (next) this.follow(next.peer, next.number)
      })
  }

  close(): void {
    this.#closed = true
    this.#next = undefined
  }

  /**
   * The best ranked live peer that `has` what we need; `announcer` (the peer that told us) when
   * the ranking offers none, while it is live.
   */
  #source(announcer: EthPeer, has: (p: EthPeer) => boolean): EthPeer | undefined {
    const live = this.peers()
    if (live.length === 0) return announcer
    return live.find((p) => p === announcer || has(p))
  }

  async #fetchOne(announcer: EthPeer, hash: Uint8Array): Promise<void> {
    const peer = this.#source(announcer, (p) => p.knowsBlock(hash))
    if (!peer) return
    const [header] = await peer.requestHeaders({ origin: hash, amount: 1, skip: 0, reverse: false })
    if (!header || !equalBytes(headerHash(header), hash)) return
    const [body] = await peer.requestBodies([hash])
    if (body && !this.#closed) this.#import(header, body)
  }

  async #catchUp(announcer: EthPeer, target: number): Promise<void> {
    while (!this.#closed) {
      const from = this.chain.head().number + 1
      if (from > target) return
      const amount = Math.min(batch, target - from + 1)
      const last = from + amount - 1
      const peer = this.#source(announcer, (p) => (p.head.number ?? -1) >= last)
      if (!peer) return
      const headers = await peer.requestHeaders({ origin: from, amount, skip: 0, reverse: false })
      if (headers.length === 0) return
      const hashes = headers.map(headerHash)
      // The bodies of those headers from the peer that sent them (another may be on a fork).
      const bodies = await peer.requestBodies(hashes)
      let imported = 0
      for (let i = 0; i < headers.length && i < bodies.length; i++) {
        const header = headers[i] as Uint8Array
        // The chain may have made or imported this block meanwhile.
        if (this.chain.headerByHash(hashes[i] as Uint8Array)) continue
        if (!this.#import(header, bodies[i] as Uint8Array)) return
        imported++
      }
      if (imported === 0 && this.chain.head().number < from) return
      this.logger.debug('caught up with peer', {
        peer: peer.id.slice(0, 16),
        head: this.chain.head().number,
        target,
      })
    }
  }

  #import(header: Uint8Array, body: Uint8Array): boolean {
    const block = encodeList([header, ...splitList(body, 'block body')])
    const ok = this.chain.insertBlock?.(block, 0n) ?? false
    if (!ok) {
      this.logger.debug('block not imported', {
        number: headerNumber(header),
        hash: toHex(headerHash(header)).slice(0, 16),
      })
    }
    return ok
  }

  #failed(peer: EthPeer, err: unknown): void {
    this.logger.debug('block fetch failed', { peer: peer.id.slice(0, 16), err: String(err) })
  }
}

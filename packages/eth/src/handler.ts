import { type Clock, type Logger, noopLogger, systemClock, TypedEventTarget, toHex } from '@x/core'
import {
  DisconnectError,
  DisconnectReason,
  type Msg,
  type MsgReadWriter,
  type Protocol,
  type ProtocolPeer,
} from '@x/p2p'
import type { Backend } from './backend.js'
import { BlockFetcher } from './block-fetcher.js'
import { broadcastBlock, broadcastTransactions } from './broadcast.js'
import type { ChainConfig } from './chain.js'
import { handleMessage, type MessageContext } from './dispatch.js'
import type { EthError } from './errors.js'
import { type ForkFilter, forkFilter, forkIdAt } from './forkid.js'
import { type HandshakeOptions, handshake } from './handshake.js'
import { type EthVersion, ethVersions, protocolLengths } from './messages/codes.js'
import { EthPeer, type PeerHead } from './peer.js'
import { type ComparePeers, PeerSet } from './peer-set.js'
import { TxBroadcastBatch } from './tx-batch.js'
import { TxFetcher } from './tx-fetcher.js'

export interface EthHandlerOptions {
  backend: Backend
  /** The chain's fork schedule and genesis (`mainnet`, `devnet`, or your own). */
  chain: ChainConfig
  /** Default `chain.networkId`. */
  networkId?: bigint
  /** Versions offered, default eth/72 to eth/69 (`ethVersions`); eth/68 on request. */
  versions?: readonly EthVersion[]
  /** Most eth peers at once (default unbounded: the p2p server's maxPeers bounds them). */
  maxPeers?: number
  clock?: Clock
  logger?: Logger
  /** Timeout of requests we send (default 10 s). */
  requestTimeout?: number
  /** Picks the √n peers that get blocks and transactions in full (default `Math.random`). */
  random?: () => number
  /**
   * Ranks peers for the block and transaction fetchers (which peer to ask) and breaks
   * `bestPeer`'s ties: a sort comparator over node ids, best first. Default none (the announcer
   * is asked). A node passes its RTT tracker's, e.g. @x/health's `HealthTracker.compare`
   * (healthy and fast first).
   */
  comparePeers?: ComparePeers
  /**
   * Catch up with peers whose head is ahead of ours (fetch and import their blocks in batches),
   * when the chain can import blocks. Default false: on mainnet that would download the chain
   * into the backend; `EthService` turns it on for devnets.
   */
  followPeers?: boolean
}

export interface EthEvents extends Record<string, unknown> {
  /** A peer passed the Status handshake and is registered. */
  'peer:registered': { peer: EthPeer }
  'peer:unregistered': { peer: EthPeer; error?: unknown }
  'handshake:failed': { id: string; error: unknown }
  /** A registered peer announced a new head (NewBlock on eth/68, BlockRangeUpdate on eth/69). */
  'peer:head': { peer: EthPeer; head: PeerHead }
  /**
   * Transactions a peer sent that were new to our pool: `fetched` when they came as the answer
   * to our GetPooledTransactions (after its announcement), else broadcast in full.
   */
  'txs:pooled': { peer: EthPeer; txs: Uint8Array[]; fetched: boolean }
}

/**
 * The eth protocol handler (go-ethereum's `eth.handler`): runs each peer (handshake, register,
 * message loop), serves the chain and pool through the {@link Backend}, and propagates blocks
 * and transactions: full to √n of the peers that lack them, announced to the rest.
 */
export class EthHandler extends TypedEventTarget<EthEvents> {
  readonly peers: PeerSet
  readonly protocols: Protocol[]
  readonly #backend: Backend
  readonly #chain: ChainConfig
  readonly #networkId: bigint
  readonly #clock: Clock
  readonly #logger: Logger
  readonly #requestTimeout: number | undefined
  readonly #random: () => number
  readonly #filter: ForkFilter
  readonly #txFetcher: TxFetcher
  readonly #blockFetcher: BlockFetcher
  /** Transactions received from peers, propagated together on the next timer tick. */
  readonly #txBatch: TxBroadcastBatch
  readonly #messages: MessageContext

  constructor(options: EthHandlerOptions) {
    super()
    this.#backend = options.backend
    this.#chain = options.chain
    this.#networkId = options.networkId ?? options.chain.networkId
    this.#clock = options.clock ?? systemClock
    this.#logger = options.logger ?? noopLogger
    this.#requestTimeout = options.requestTimeout
    this.#random = options.random ?? Math.random
    this.peers = new PeerSet(options.maxPeers, options.comparePeers)
    this.#filter = forkFilter(this.#chain, () => {
      const h = this.#backend.chain.head()
      return { number: h.number, time: h.time }
    })
    this.#blockFetcher = new BlockFetcher(
      this.#backend.chain,
      this.#logger,
      options.followPeers ?? false,
      () => this.peers.ranked(),
    )
    this.#txFetcher = new TxFetcher(
      this.#clock,
      this.#backend.txPool,
      (p) => this.peers.peer(p.id) === p,
      // go-ethereum's `removePeer`: an announcer that lied about a transaction is useless.
      (p, err) => {
        this.#logger.debug('eth announcement mismatch', { id: p.id, err: err.message })
        p.peer.disconnect(DisconnectReason.UselessPeer)
      },
      (peers) => this.peers.ranked(peers),
    )
    this.#txBatch = new TxBroadcastBatch(this.#clock, this.#backend, (txs) =>
      this.broadcastTransactions(txs),
    )
    this.#messages = {
      backend: this.#backend,
      txFetcher: this.#txFetcher,
      blockFetcher: this.#blockFetcher,
      receiveTxs: (peer, txs, fetched) => {
        const added = this.#txBatch.receive(peer, txs)
        if (added.length > 0) this.emit('txs:pooled', { peer, txs: added, fetched })
      },
      headChanged: (peer) => this.emit('peer:head', { peer, head: peer.head }),
    }
    this.protocols = (options.versions ?? ethVersions).map((version) => this.#protocol(version))
  }

  #protocol(version: EthVersion): Protocol {
    return {
      name: 'eth',
      version,
      length: protocolLengths[version],
      run: (peer, rw, signal) => this.run(version, peer, rw, signal),
      nodeInfo: () => this.nodeInfo(),
      peerInfo: (id) => this.peerInfo(toHex(id)),
    }
  }

  /** Our handshake parameters at the current head. */
  handshakeOptions(version: EthVersion, signal?: AbortSignal): HandshakeOptions {
    const chain = this.#backend.chain
    const head = chain.head()
    const opts: HandshakeOptions = {
      version,
      networkId: this.#networkId,
      genesis: chain.genesisHash(),
      forkId: forkIdAt(this.#chain, head.number, head.time),
      forkFilter: this.#filter,
      head: { hash: head.hash, td: head.td },
      range: { earliestBlock: chain.earliest(), latestBlock: head.number, latestHash: head.hash },
      clock: this.#clock,
    }
    if (signal) opts.signal = signal
    return opts
  }

  /** Runs one peer: handshake, register, message loop, unregister. */
  async run(
    version: EthVersion,
    p: ProtocolPeer,
    rw: MsgReadWriter,
    signal: AbortSignal,
  ): Promise<void> {
    const log = this.#logger.child({ peer: p.idHex.slice(0, 16), eth: version })
    let status: Awaited<ReturnType<typeof handshake>>
    try {
      status = await handshake(rw, this.handshakeOptions(version, signal))
    } catch (error) {
      log.debug('eth handshake failed', { err: String(error) })
      this.emit('handshake:failed', { id: p.idHex, error })
      throw error
    }
    const options: ConstructorParameters<typeof EthPeer>[4] = { clock: this.#clock, logger: log }
    if (this.#requestTimeout !== undefined) options.requestTimeout = this.#requestTimeout
    const peer = new EthPeer(p, rw, version, status, options)
    try {
      this.peers.register(peer)
    } catch (err) {
      peer.close()
      const reason = this.peers.closed
        ? DisconnectReason.ClientQuitting
        : (err as EthError).code === 'ERR_PEER_ALREADY_REGISTERED'
          ? DisconnectReason.AlreadyConnected
          : DisconnectReason.TooManyPeers
      throw new DisconnectError(reason, (err as Error).message, { cause: err })
    }
    log.info('eth peer registered', {
      head: peer.head.hash,
      td: peer.head.td?.toString(),
      number: peer.head.number,
    })
    this.emit('peer:registered', { peer })
    // An eth/69 peer's Status tells its head number: catch up when it is ahead.
    this.#blockFetcher.follow(peer, peer.head.number)
    let failure: unknown
    try {
      const pending = this.#backend.txPool.pending()
      if (pending.length > 0) peer.asyncSendPooledTransactionHashes(pending)
      while (!signal.aborted) {
        const msg = await rw.readMsg()
        await this.handleMsg(peer, msg)
      }
    } catch (err) {
      failure = err
      if (!signal.aborted) log.debug('eth peer failed', { err: String(err) })
      throw err
    } finally {
      this.peers.unregister(peer.id)
      peer.close()
      this.emit('peer:unregistered', failure === undefined ? { peer } : { peer, error: failure })
    }
  }

  /** Handles one message from a registered peer; throws to drop the peer. */
  handleMsg(peer: EthPeer, msg: Msg): Promise<void> {
    return handleMessage(this.#messages, peer, msg)
  }

  /**
   * Propagates transactions (go-ethereum's `BroadcastTransactions`): each goes in full to √n of
   * the peers that lack it and as an announcement to the others. Never blocks.
   */
  broadcastTransactions(txs: Uint8Array[]): void {
    broadcastTransactions(this.peers, txs, this.#random)
  }

  /**
   * Propagates a new block (go-ethereum's `BroadcastBlock`): in full to √n of the eth/68 peers
   * that lack it, its hash to the other eth/68 peers; eth/69 peers get a BlockRangeUpdate.
   */
  broadcastBlock(block: Uint8Array, td: bigint): void {
    broadcastBlock(this.peers, block, td, this.#backend.chain.earliest(), this.#random)
  }

  /** `admin_nodeInfo.protocols.eth`. */
  nodeInfo(): {
    network: string
    genesis: string
    head: string
    number: number
    difficulty: string
    config: string
  } {
    const head = this.#backend.chain.head()
    return {
      network: this.#networkId.toString(),
      genesis: `0x${toHex(this.#backend.chain.genesisHash())}`,
      head: `0x${toHex(head.hash)}`,
      number: head.number,
      difficulty: head.td.toString(),
      config: this.#chain.name,
    }
  }

  /** `admin_peers[].protocols.eth`, or undefined when the peer does not run eth. */
  peerInfo(
    idHex: string,
  ): { version: number; head: string; number?: number; td?: string } | undefined {
    const p = this.peers.peer(idHex)
    if (!p) return undefined
    const info: { version: number; head: string; number?: number; td?: string } = {
      version: p.version,
      head: `0x${toHex(p.head.hash)}`,
    }
    if (p.head.number !== undefined) info.number = p.head.number
    if (p.head.td !== undefined) info.td = p.head.td.toString()
    return info
  }

  /** Disconnects every eth peer, refuses new ones and clears the fetch timer. */
  close(): void {
    this.#txFetcher.close()
    this.#blockFetcher.close()
    this.#txBatch.close()
    this.peers.close()
  }
}

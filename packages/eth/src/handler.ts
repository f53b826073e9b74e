import { type Clock, type Logger, noopLogger, systemClock, TypedEventTarget } from '@x/discover'
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
import { toHex } from './bytes.js'
import type { ChainConfig } from './chain.js'
import { EthError } from './errors.js'
import { type ForkFilter, forkFilter, forkIdAt } from './forkid.js'
import { type HandshakeOptions, handshake } from './handshake.js'
import { headerHash, headerNumber } from './header.js'
import {
  decodeNewBlock,
  decodeNewBlockHashes,
  decodeNewPooledTransactionHashes,
} from './messages/announce.js'
import { decodeBlockBodies, decodeGetBlockBodies } from './messages/bodies.js'
import {
  type EthVersion,
  ethVersions,
  isValidCode,
  MsgCode,
  maxMessageSize,
  protocolLengths,
} from './messages/codes.js'
import { decodeBlockHeaders, decodeGetBlockHeaders } from './messages/headers.js'
import { decodeGetReceipts, decodeReceipts } from './messages/receipts.js'
import { decodeBlockRangeUpdate, validateBlockRange } from './messages/status.js'
import {
  decodeGetPooledTransactions,
  decodePooledTransactions,
  decodeTransactions,
  txHash,
} from './messages/transactions.js'
import { EthPeer, type PeerHead } from './peer.js'
import { PeerSet } from './peer-set.js'
import { splitList } from './rlp.js'
import { serveByHash, serveHeaders } from './serve.js'
import { TxFetcher } from './tx-fetcher.js'

export { txArriveTimeout } from './tx-fetcher.js'

export interface EthHandlerOptions {
  backend: Backend
  /** The chain's fork schedule and genesis (`mainnet`, `devnet`, or your own). */
  chain: ChainConfig
  /** Default `chain.networkId`. */
  networkId?: bigint
  /** Versions offered, default 69 and 68. */
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
   * Catch up with peers whose head is ahead of ours (fetch and import their blocks in batches),
   * when the chain can import blocks. Default false: on mainnet that would download the chain
   * into the backend; `createEthService` turns it on for devnets.
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
}

/** Received transactions waiting to be propagated; the oldest are dropped (the pool keeps them). */
const maxBroadcastBatch = 4096

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
  readonly #toBroadcast: Uint8Array[] = []
  #broadcastTimer: ReturnType<Clock['setTimeout']> | undefined

  constructor(options: EthHandlerOptions) {
    super()
    this.#backend = options.backend
    this.#chain = options.chain
    this.#networkId = options.networkId ?? options.chain.networkId
    this.#clock = options.clock ?? systemClock
    this.#logger = options.logger ?? noopLogger
    this.#requestTimeout = options.requestTimeout
    this.#random = options.random ?? Math.random
    this.peers = new PeerSet(options.maxPeers)
    this.#filter = forkFilter(this.#chain, () => {
      const h = this.#backend.chain.head()
      return { number: h.number, time: h.time }
    })
    this.#blockFetcher = new BlockFetcher(
      this.#backend.chain,
      this.#logger,
      options.followPeers ?? false,
    )
    this.#txFetcher = new TxFetcher(
      this.#clock,
      this.#backend.txPool,
      (p) => this.peers.peer(p.id) === p,
    )
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
      head: toHex(peer.head.hash),
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
  async handleMsg(peer: EthPeer, msg: Msg): Promise<void> {
    if (msg.size > maxMessageSize) {
      throw new EthError(
        'ERR_MSG_TOO_LARGE',
        `message of ${msg.size} bytes exceeds ${maxMessageSize}`,
      )
    }
    if (!isValidCode(peer.version, msg.code)) {
      throw new EthError(
        'ERR_INVALID_MSG_CODE',
        `invalid eth/${peer.version} message code ${msg.code}`,
      )
    }
    const chain = this.#backend.chain
    const pool = this.#backend.txPool
    switch (msg.code) {
      case MsgCode.Status:
        throw new EthError('ERR_EXTRA_STATUS_MSG', 'status after the handshake')
      case MsgCode.GetBlockHeaders: {
        const q = decodeGetBlockHeaders(msg.payload)
        return peer.replyBlockHeaders(q.requestId, serveHeaders(chain, q))
      }
      case MsgCode.GetBlockBodies: {
        const q = decodeGetBlockBodies(msg.payload)
        return peer.replyBlockBodies(
          q.requestId,
          serveByHash(q.hashes, (h) => chain.bodyByHash(h)),
        )
      }
      case MsgCode.GetReceipts: {
        const q = decodeGetReceipts(msg.payload)
        return peer.replyReceipts(
          q.requestId,
          serveByHash(q.hashes, (h) => chain.receiptsByHash(h, peer.version)),
        )
      }
      case MsgCode.GetPooledTransactions: {
        const q = decodeGetPooledTransactions(msg.payload)
        return peer.replyPooledTransactions(
          q.requestId,
          serveByHash(q.hashes, (h) => pool.get(h)),
        )
      }
      case MsgCode.BlockHeaders: {
        const r = decodeBlockHeaders(msg.payload)
        peer.deliver(msg.code, r.requestId, r.headers)
        return
      }
      case MsgCode.BlockBodies: {
        const r = decodeBlockBodies(msg.payload)
        peer.deliver(msg.code, r.requestId, r.bodies)
        return
      }
      case MsgCode.Receipts: {
        const r = decodeReceipts(msg.payload, peer.version)
        peer.deliver(msg.code, r.requestId, r.receipts)
        return
      }
      case MsgCode.PooledTransactions: {
        const r = decodePooledTransactions(msg.payload)
        peer.deliver(msg.code, r.requestId, r.txs)
        this.#receiveTxs(peer, r.txs)
        return
      }
      case MsgCode.Transactions:
        this.#receiveTxs(peer, decodeTransactions(msg.payload))
        return
      case MsgCode.NewPooledTransactionHashes: {
        const ann = decodeNewPooledTransactionHashes(msg.payload)
        for (const h of ann.hashes) peer.markTransaction(h)
        this.#txFetcher.notify(peer, ann.hashes)
        return
      }
      case MsgCode.NewBlockHashes: {
        for (const a of decodeNewBlockHashes(msg.payload)) {
          peer.markBlock(a.hash)
          // Not awaited: the responses arrive through this same loop.
          this.#blockFetcher.announced(peer, a.hash, a.number)
        }
        return
      }
      case MsgCode.NewBlock: {
        const nb = decodeNewBlock(msg.payload)
        const header = splitList(nb.block, 'block')[0] as Uint8Array
        const hash = headerHash(header)
        peer.markBlock(hash)
        peer.setHead({ hash, number: headerNumber(header), td: nb.td })
        this.emit('peer:head', { peer, head: peer.head })
        if (chain.insertBlock?.(nb.block, nb.td) === false) {
          this.#blockFetcher.follow(peer, headerNumber(header))
        }
        return
      }
      case MsgCode.BlockRangeUpdate: {
        const range = decodeBlockRangeUpdate(msg.payload)
        try {
          validateBlockRange(range)
        } catch (err) {
          throw new DisconnectError(DisconnectReason.SubprotocolError, (err as Error).message, {
            cause: err,
          })
        }
        peer.setBlockRange(range)
        this.emit('peer:head', { peer, head: peer.head })
        this.#blockFetcher.follow(peer, range.latestBlock)
        return
      }
    }
  }

  /**
   * Marks the sender as knowing each transaction, adds them to the pool and propagates the new
   * ones on the next timer tick rather than at once (go-ethereum's pool → NewTxsEvent → broadcast
   * loop is asynchronous the same way): copies and announcements of the same transactions that
   * other peers sent meanwhile are marked first, so those peers are not sent it in full.
   */
  #receiveTxs(peer: EthPeer, txs: Uint8Array[]): void {
    for (const tx of txs) peer.markTransaction(txHash(tx))
    const added = this.#backend.txPool.add(txs)
    if (added.length === 0) return
    for (const tx of added) {
      if (this.#toBroadcast.length >= maxBroadcastBatch) this.#toBroadcast.shift()
      this.#toBroadcast.push(tx)
    }
    if (this.#broadcastTimer !== undefined) return
    this.#broadcastTimer = this.#clock.setTimeout(() => {
      this.#broadcastTimer = undefined
      this.broadcastTransactions(this.#toBroadcast.splice(0))
    }, 0)
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
    if (this.#broadcastTimer !== undefined) this.#clock.clearTimeout(this.#broadcastTimer)
    this.#broadcastTimer = undefined
    this.#toBroadcast.length = 0
    this.peers.close()
  }
}

import { type Clock, type Logger, noopLogger, systemClock } from '@x/core'
import type { Protocol } from '@x/p2p'
import type { Backend } from './backend.js'
import { type ChainConfig, chains } from './chain.js'
import { EthError } from './errors.js'
import { gatherForks } from './forkid.js'
import { EthHandler } from './handler.js'
import { MemoryChain, memoryBackend } from './memory-backend.js'
import { type EthVersion, ethVersions } from './messages/codes.js'
import { peerDefaults } from './peer.js'
import type { ComparePeers, PeerSet } from './peer-set.js'

/** The built-in networks (`--network`). */
export type EthNetwork = 'mainnet' | 'sepolia' | 'hoodi' | 'devnet'

/** Block interval of the default in-memory devnet chain (one block per slot, as mainnet). */
export const devnetBlockInterval = 12_000

export interface EthServiceOptions {
  /** A built-in network by name, or a chain of your own (see `defineDevnet`). Default mainnet. */
  network?: EthNetwork | ChainConfig
  /** Network id of our Status (`--networkid`); default the network's. */
  networkId?: bigint | number
  /**
   * Chain and transaction pool. Default: an in-memory chain at the network's genesis and an
   * in-memory pool (`memoryBackend`).
   */
  backend?: Backend
  /**
   * Milliseconds between blocks the default in-memory chain makes: default
   * {@link devnetBlockInterval} on a devnet (every fork at genesis), 0 (none) on mainnet or any
   * chain with a fork schedule. Ignored with your own backend.
   */
  blockInterval?: number
  /**
   * Catch up with peers whose chain is ahead (fetch and import their blocks). Default: on a
   * devnet only (on mainnet it would download the real chain into memory).
   */
  followPeers?: boolean
  /** Versions offered, default eth/72 to eth/69 (`ethVersions`); eth/68 on request. */
  versions?: readonly EthVersion[]
  /** Most eth peers at once; default unbounded (the p2p server's maxPeers bounds them). */
  maxPeers?: number
  /** Timeout of the requests we send, in ms; default 10 s. */
  requestTimeout?: number
  /**
   * Which peers the fetchers ask first (see `EthHandlerOptions.comparePeers`); default none.
   * node-app passes @x/health's `HealthTracker.compare`.
   */
  comparePeers?: ComparePeers
  clock?: Clock
  logger?: Logger
}

/** Defaults of {@link EthServiceOptions} that do not depend on the chain. */
export const ethServiceDefaults = {
  network: 'mainnet',
  versions: ethVersions,
  maxPeers: Number.POSITIVE_INFINITY,
  requestTimeout: peerDefaults.requestTimeout,
  clock: systemClock,
  logger: noopLogger,
} as const satisfies EthServiceOptions

/** {@link EthServiceOptions} with every default applied, once, at construction. */
interface ResolvedEthServiceOptions {
  readonly chain: ChainConfig
  readonly networkId: bigint
  readonly backend: Backend
  /** The backend is the default in-memory one: the service makes its blocks. */
  readonly ownBackend: boolean
  /** Milliseconds between blocks of the in-memory chain; 0 for none. */
  readonly blockInterval: number
  readonly followPeers: boolean
  readonly versions: readonly EthVersion[]
  readonly maxPeers: number
  readonly requestTimeout: number
  readonly comparePeers: ComparePeers | undefined
  readonly clock: Clock
  readonly logger: Logger
}

function resolveChain(network: EthNetwork | ChainConfig): ChainConfig {
  if (typeof network !== 'string') return network
  const chain = chains[network]
  if (!chain) {
    throw new EthError(
      'ERR_INVALID_CHAIN',
      `unknown network ${JSON.stringify(network)}; known: ${Object.keys(chains).join(', ')}`,
    )
  }
  return chain
}

function resolveOptions(options: EthServiceOptions): ResolvedEthServiceOptions {
  const o = { ...ethServiceDefaults, ...definedOnly(options) }
  const chain = resolveChain(o.network)
  const { blocks, times } = gatherForks(chain)
  // A devnet has every fork at genesis; a chain with a fork schedule makes no blocks by default.
  const isDevnet = blocks.length === 0 && times.length === 0
  const blockInterval = o.blockInterval ?? (isDevnet ? devnetBlockInterval : 0)
  // Timestamps from the interval, not the clock: every node of the devnet makes the same blocks.
  const blockTime = Math.max(1, Math.round(blockInterval / 1000))
  return {
    chain,
    networkId: BigInt(o.networkId ?? chain.networkId),
    backend: o.backend ?? memoryBackend(chain, { clock: o.clock, blockTime }),
    ownBackend: o.backend === undefined,
    blockInterval,
    followPeers: o.followPeers ?? isDevnet,
    versions: o.versions,
    maxPeers: o.maxPeers,
    requestTimeout: o.requestTimeout,
    comparePeers: o.comparePeers,
    clock: o.clock,
    logger: o.logger,
  }
}

/** `options` without the keys set to `undefined`, so they do not hide a default when spread. */
function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(options).filter(([, v]) => v !== undefined),
  ) as Partial<T>
}

/**
 * The eth protocol of a node (go-ethereum's `eth.Ethereum` reduced to the wire protocol): chain
 * configuration, backend (in-memory by default, making a block every `blockInterval` on a
 * devnet), handler, and propagation of new blocks. Construct, hand `protocols` to the p2p
 * server, then `start()`; `stop()` on shutdown.
 *
 * ```ts
 * const eth = new EthService({ network: 'devnet', logger })
 * eth.handler.addEventListener('peer:registered', (e) => logger.info('eth handshake', …))
 * const server = new Server({ privateKey, protocols: eth.protocols, … })
 * eth.start()
 * await server.start()
 * ```
 */
export class EthService {
  /** One p2p protocol per eth version, for the server's `protocols`. */
  readonly protocols: Protocol[]
  /** The registered eth peers. */
  readonly peers: PeerSet
  readonly backend: Backend
  readonly chain: ChainConfig
  readonly networkId: bigint
  /**
   * The handler: broadcast functions, `nodeInfo`/`peerInfo`, and the events
   * `peer:registered` (handshake done), `handshake:failed`, `peer:unregistered`, `peer:head`.
   */
  readonly handler: EthHandler
  readonly #options: ResolvedEthServiceOptions
  /** The in-memory chain whose new heads this service propagates, if the backend has one. */
  readonly #memory: MemoryChain | undefined
  #unsubscribe: (() => void) | undefined
  #state: 'new' | 'started' | 'stopped' = 'new'

  /** Resolves the options and builds the pieces; starts nothing (no timer, no block). */
  constructor(options: EthServiceOptions = {}) {
    const o = resolveOptions(options)
    this.#options = o
    this.chain = o.chain
    this.networkId = o.networkId
    this.backend = o.backend
    this.handler = new EthHandler({
      backend: o.backend,
      chain: o.chain,
      networkId: o.networkId,
      clock: o.clock,
      logger: o.logger,
      followPeers: o.followPeers,
      versions: o.versions,
      maxPeers: o.maxPeers,
      requestTimeout: o.requestTimeout,
      ...(o.comparePeers && { comparePeers: o.comparePeers }),
    })
    this.protocols = this.handler.protocols
    this.peers = this.handler.peers
    this.#memory = o.backend.chain instanceof MemoryChain ? o.backend.chain : undefined
  }

  /** Whether `start()` was called and `stop()` not yet. */
  get isStarted(): boolean {
    return this.#state === 'started'
  }

  /**
   * Propagates new heads of an in-memory chain (made here or imported) like go-ethereum, and
   * starts making blocks on the default in-memory chain when `blockInterval` > 0. Idempotent; a
   * stopped service does not start again (its peer set is closed).
   */
  async start(): Promise<void> {
    if (this.#state !== 'new') return
    this.#state = 'started'
    const memory = this.#memory
    this.#unsubscribe = memory?.onBlock((block, td) => this.handler.broadcastBlock(block, td))
    if (this.#options.ownBackend && memory && this.#options.blockInterval > 0) {
      memory.start(this.#options.blockInterval)
    }
  }

  /** Stops making blocks, disconnects every eth peer and clears every timer. Idempotent. */
  async stop(): Promise<void> {
    if (this.#state === 'stopped') return
    this.#state = 'stopped'
    if (this.#options.ownBackend) this.#memory?.stop()
    this.#unsubscribe?.()
    this.#unsubscribe = undefined
    this.handler.close()
  }
}

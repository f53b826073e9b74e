import { type Clock, type Logger, noopLogger, systemClock } from '@x/core'
import type { Protocol } from '@x/p2p'
import type { Backend } from './backend.js'
import { type ChainConfig, chains } from './chain.js'
import { EthError } from './errors.js'
import { gatherForks } from './forkid.js'
import { EthHandler } from './handler.js'
import { MemoryChain, memoryBackend } from './memory-backend.js'
import type { EthVersion } from './messages/codes.js'
import type { PeerSet } from './peer-set.js'

/** The built-in networks (`--network`). */
export type EthNetwork = 'mainnet' | 'devnet'

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
  /** Versions offered, default eth/69 and eth/68. */
  versions?: readonly EthVersion[]
  maxPeers?: number
  requestTimeout?: number
  clock?: Clock
  logger?: Logger
}

/** The eth protocol of a node, ready for `new Server({ protocols })`. */
export interface EthService {
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
  /** Stops making blocks, disconnects every eth peer and clears every timer. Idempotent. */
  close(): void
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

/**
 * The eth protocol for a node in one call: chain configuration, backend (in-memory by default,
 * making a block every `blockInterval` on a devnet), handler, and propagation of new blocks.
 *
 * ```ts
 * const eth = createEthService({ network: 'devnet', logger })
 * eth.handler.addEventListener('peer:registered', (e) => logger.info('eth handshake', …))
 * const server = new Server({ privateKey, protocols: eth.protocols, … })
 * ```
 */
export function createEthService(options: EthServiceOptions = {}): EthService {
  const chain = resolveChain(options.network ?? 'mainnet')
  const clock = options.clock ?? systemClock
  const logger = options.logger ?? noopLogger
  const networkId = BigInt(options.networkId ?? chain.networkId)
  const { blocks, times } = gatherForks(chain)
  const isDevnet = blocks.length === 0 && times.length === 0
  const interval = options.blockInterval ?? (isDevnet ? devnetBlockInterval : 0)
  const own = options.backend === undefined
  // Timestamps from the interval, not the clock: every node of the devnet makes the same blocks.
  const blockTime = Math.max(1, Math.round(interval / 1000))
  const backend = options.backend ?? memoryBackend(chain, { clock, blockTime })
  const handler = new EthHandler({
    backend,
    chain,
    networkId,
    clock,
    logger,
    followPeers: options.followPeers ?? isDevnet,
    ...(options.versions ? { versions: options.versions } : {}),
    ...(options.maxPeers !== undefined ? { maxPeers: options.maxPeers } : {}),
    ...(options.requestTimeout !== undefined ? { requestTimeout: options.requestTimeout } : {}),
  })
  // New heads of an in-memory chain (made here or imported) propagate like go-ethereum's.
  const memory = backend.chain instanceof MemoryChain ? backend.chain : undefined
  const unsubscribe = memory?.onBlock((block, td) => handler.broadcastBlock(block, td))
  if (own && memory && interval > 0) memory.start(interval)
  let closed = false
  return {
    protocols: handler.protocols,
    peers: handler.peers,
    backend,
    chain,
    networkId,
    handler,
    close() {
      if (closed) return
      closed = true
      if (own) memory?.stop()
      unsubscribe?.()
      handler.close()
    },
  }
}

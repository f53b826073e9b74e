import type { Logger, Startable } from '@x/core'
import type { EthService } from '@x/eth'
import {
  Aggregator,
  AggregatorHttpServer,
  createHeartbeatServices,
  HeartbeatProtocol,
  type HeartbeatService,
} from '@x/heartbeat'
import type { Network, Server } from '@x/p2p'
import type { NodeConfig } from './config.js'

export interface NodeHeartbeatOptions {
  config: NodeConfig
  logger: Logger
  /** The environment (for `X_HEARTBEAT_ALERTS`); packages never read `process.env`. */
  env: Readonly<Record<string, string | undefined>>
}

/** What the senders need of the node, known once its server listens. */
export interface HeartbeatIdentity {
  eth: EthService
  privateKey: Uint8Array
  network: Network
  clientVersion: string
}

/**
 * The node's heartbeat side: an aggregator that receives beats (`--aggregator`) and/or services
 * that send them (`--heartbeat.target`, plus the alerts target from `X_HEARTBEAT_ALERTS`). Both
 * run on the node's own p2p server through one `heartbeat/1` protocol instance. Construction
 * builds the aggregator and the protocol (add `protocol` to the server); `attach(server, …)`
 * builds the senders once the server listens; `start()` binds the aggregator's HTTP API and
 * starts the senders; `stop()` stops all of it.
 */
export class NodeHeartbeat implements Startable {
  readonly aggregator: Aggregator | undefined
  /** Add to the server's protocols (undefined when neither side is on). */
  readonly protocol: HeartbeatProtocol | undefined
  readonly #http: AggregatorHttpServer | undefined
  #services: HeartbeatService[] = []
  readonly #config: NodeConfig
  readonly #env: NodeHeartbeatOptions['env']
  readonly #log: Logger

  constructor(options: NodeHeartbeatOptions) {
    const { config, logger } = options
    this.#config = config
    this.#env = options.env
    this.#log = logger
    this.aggregator = config.aggregator ? new Aggregator({ logger }) : undefined
    this.protocol =
      this.aggregator?.protocol ??
      (config.heartbeat ? new HeartbeatProtocol({ logger }) : undefined)
    this.#http =
      this.aggregator && config.aggregatorHttp
        ? new AggregatorHttpServer({
            aggregator: this.aggregator,
            host: config.aggregatorHttp.addr,
            port: config.aggregatorHttp.port,
            logger,
          })
        : undefined
  }

  /** The senders built by `attach` (none before it, or without `--heartbeat.target`). */
  get services(): readonly HeartbeatService[] {
    return this.#services
  }

  /**
   * Builds the senders for `server` (started: its listen port goes into their hello). Invalid
   * settings (a bad period, a bad alerts URL) throw here, before any of them runs.
   */
  attach(server: Server, identity: HeartbeatIdentity): void {
    const hb = this.#config.heartbeat
    if (!hb) return
    const { eth } = identity
    this.#services = createHeartbeatServices(
      {
        beatTarget: hb.target,
        beatPeriod: hb.period,
        nickname: hb.nickname,
        headGetter: () => {
          const head = eth.backend.chain.head()
          return { hash: head.hash, height: head.number }
        },
        peerCountGetter: () => server.peerCount(),
        nodeId: server.id,
        clientVersion: identity.clientVersion,
        privateKey: identity.privateKey,
        network: identity.network,
        ...(this.protocol && { protocol: this.protocol }),
        ...(server.listenAddress && { listenPort: server.listenAddress.port }),
        logger: this.#log,
      },
      this.#env,
    )
  }

  /** Starts the aggregator and its HTTP API, then the senders (built by `attach`). */
  async start(): Promise<void> {
    await this.aggregator?.start()
    if (this.#http) {
      await this.#http.start()
      const a = this.#http.address
      if (a) this.#log.info('aggregator endpoints', { url: `http://${a.host}:${a.port}` })
    }
    for (const s of this.#services) await s.start()
    const hb = this.#config.heartbeat
    if (hb) {
      this.#log.info('heartbeat started', {
        target: hb.target,
        period: hb.period,
        targets: this.#services.length,
      })
    }
  }

  /** Stops the senders (closing their links), the HTTP API and the aggregator's timers. Idempotent. */
  async stop(): Promise<void> {
    await Promise.all(this.#services.map((s) => s.stop()))
    await this.#http?.stop()
    await this.aggregator?.stop()
  }
}

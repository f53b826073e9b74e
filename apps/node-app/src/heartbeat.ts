import type { Logger } from '@x/discover'
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

/**
 * The node's heartbeat side: an aggregator that receives beats (`--aggregator`) and/or services
 * that send them (`--heartbeat.target`, plus the alerts target from `X_HEARTBEAT_ALERTS`). Both
 * run on the node's own p2p server through one `heartbeat/1` protocol instance.
 */
export class NodeHeartbeat {
  readonly aggregator: Aggregator | undefined
  /** Add to the server's protocols (undefined when neither side is on). */
  readonly protocol: HeartbeatProtocol | undefined
  #http: AggregatorHttpServer | undefined
  #services: HeartbeatService[] = []
  readonly #config: NodeConfig
  readonly #log: Logger

  constructor(config: NodeConfig, log: Logger) {
    this.#config = config
    this.#log = log
    this.aggregator = config.aggregator ? new Aggregator({ logger: log }) : undefined
    this.protocol =
      this.aggregator?.protocol ??
      (config.heartbeat ? new HeartbeatProtocol({ logger: log }) : undefined)
  }

  /**
   * Starts the aggregator's HTTP API and the senders, once `server` is listening. Invalid
   * settings (a bad period, a bad alerts URL) throw here, before anything runs.
   */
  async start(
    server: Server,
    eth: EthService,
    identity: { privateKey: Uint8Array; network: Network; clientVersion: string },
    env: Readonly<Record<string, string | undefined>>,
  ): Promise<void> {
    const hb = this.#config.heartbeat
    if (hb) {
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
        env,
      )
    }
    if (this.aggregator && this.#config.aggregatorHttp) {
      this.#http = new AggregatorHttpServer({
        aggregator: this.aggregator,
        host: this.#config.aggregatorHttp.addr,
        port: this.#config.aggregatorHttp.port,
        logger: this.#log,
      })
      await this.#http.start()
      const a = this.#http.address
      if (a) this.#log.info('aggregator endpoints', { url: `http://${a.host}:${a.port}` })
    }
    for (const s of this.#services) void s.start()
    if (hb) {
      this.#log.info('heartbeat started', {
        target: hb.target,
        period: hb.period,
        targets: this.#services.length,
      })
    }
  }

  /** Stops the senders and the HTTP API (the aggregator itself closes in `close`). */
  async stop(): Promise<void> {
    await Promise.all(this.#services.splice(0).map((s) => s.stop()))
    await this.#http?.stop()
  }

  /** Clears the aggregator's timers; after the server has stopped. */
  async close(): Promise<void> {
    await this.aggregator?.close()
  }
}

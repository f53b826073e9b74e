import { type Logger, noopLogger, type Startable } from '@x/core'
import { formatEnode, Node } from '@x/discover'
import { type Network, Server } from '@x/p2p'
import { Aggregator, type AggregatorOptions } from './aggregator.js'
import { HeartbeatError } from './errors.js'
import { AggregatorHttpServer } from './http.js'

export interface AggregatorNodeOptions extends AggregatorOptions {
  /** The aggregator's node key: senders dial its enode. */
  privateKey: Uint8Array
  /** `tcpNetwork(rlpx)` in production, a MemoryNetwork host in tests. */
  network: Network
  /** RLPx listen address (default 127.0.0.1:30305; port 0 = any). */
  listen?: { ip: string; port: number }
  /** HTTP API address; `null` for none (default 127.0.0.1, any port). */
  http?: { host: string; port: number } | null
  /** Heartbeat peers accepted at once (default 1024). */
  maxPeers?: number
  /** The IP put in the printed enode URL (default the listen IP). */
  externalIp?: string
  /** Client id of the aggregator's hello. */
  name?: string
}

export const aggregatorNodeDefaults = {
  listen: { ip: '127.0.0.1', port: 30305 },
  http: { host: '127.0.0.1', port: 0 },
  maxPeers: 1024,
  name: 'x-heartbeat-aggregator/v0.1.0',
} as const

/**
 * A standalone aggregator: a p2p Server that only accepts (no dialing, no discovery) and runs
 * `heartbeat/1` for up to `maxPeers` senders, plus the HTTP API. Construction builds the parts
 * and opens nothing; `start()` listens (RLPx, then HTTP) and resolves once both are up, `stop()`
 * closes all. (To run an aggregator inside a node instead, add `aggregator.protocol` to its
 * Server.)
 */
export class AggregatorNode implements Startable {
  readonly aggregator: Aggregator
  readonly server: Server
  /** The JSON API; undefined with `http: null`. */
  readonly http: AggregatorHttpServer | undefined
  readonly #externalIp: string | undefined
  readonly #log: Logger
  #enode: string | undefined

  constructor(options: AggregatorNodeOptions) {
    this.#log = options.logger ?? noopLogger
    this.#externalIp = options.externalIp
    this.aggregator = new Aggregator(options)
    this.server = new Server({
      privateKey: options.privateKey,
      name: options.name ?? aggregatorNodeDefaults.name,
      network: options.network,
      listenAddress: options.listen ?? aggregatorNodeDefaults.listen,
      protocols: [this.aggregator.protocol],
      // With noDial every slot is an inbound one.
      maxPeers: options.maxPeers ?? aggregatorNodeDefaults.maxPeers,
      noDial: true,
      noDiscovery: true,
      logger: this.#log,
      ...(options.clock ? { clock: options.clock } : {}),
    })
    this.http =
      options.http === null
        ? undefined
        : new AggregatorHttpServer({
            aggregator: this.aggregator,
            ...(options.http ?? aggregatorNodeDefaults.http),
            logger: this.#log,
          })
  }

  /** The enode URL senders use as `beatTarget`; known once started (`ERR_NOT_STARTED` before). */
  get enode(): string {
    if (this.#enode === undefined) {
      throw new HeartbeatError('ERR_NOT_STARTED', 'aggregator node not started')
    }
    return this.#enode
  }

  /** Listens for senders and serves the HTTP API; resolves once both are up. */
  async start(): Promise<void> {
    if (this.#enode !== undefined) return
    try {
      await this.aggregator.start()
      await this.server.start()
      await this.http?.start()
    } catch (err) {
      await this.#close()
      throw err
    }
    const address = this.server.listenAddress ?? { ip: '127.0.0.1', port: 0 }
    this.#enode = formatEnode(
      new Node({
        id: this.server.id,
        ip: this.#externalIp ?? address.ip,
        udp: address.port,
        tcp: address.port,
      }),
    )
    const http = this.http?.address
    this.#log.info('aggregator started', {
      enode: this.#enode,
      ...(http ? { http: `http://${http.host}:${http.port}` } : {}),
    })
  }

  /** Closes the HTTP API, the server (every peer) and the aggregator's timers. Idempotent. */
  async stop(): Promise<void> {
    this.#enode = undefined
    await this.#close()
  }

  async #close(): Promise<void> {
    await this.http?.stop()
    await this.server.stop()
    await this.aggregator.stop()
  }
}

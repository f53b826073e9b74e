import { type Clock, formatEnode, type Logger, Node, noopLogger } from '@x/discover'
import { type Network, Server } from '@x/p2p'
import { Aggregator, type AggregatorOptions } from './aggregator.js'
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
  clock?: Clock
  logger?: Logger
}

export const aggregatorNodeDefaults = {
  listen: { ip: '127.0.0.1', port: 30305 },
  http: { host: '127.0.0.1', port: 0 },
  maxPeers: 1024,
  name: 'x-heartbeat-aggregator/v0.1.0',
} as const

/** A running standalone aggregator. */
export interface AggregatorNode {
  readonly aggregator: Aggregator
  readonly server: Server
  readonly http: AggregatorHttpServer | undefined
  /** The enode URL senders use as `beatTarget`. */
  readonly enode: string
  stop(): Promise<void>
}

/**
 * Starts a standalone aggregator: a p2p Server that only accepts (no dialing, no discovery) and
 * runs `heartbeat/1` for up to `maxPeers` senders, plus the HTTP API. `stop()` closes all.
 * (To run an aggregator inside a node instead, add `aggregator.protocol` to its Server.)
 */
export async function startAggregatorNode(options: AggregatorNodeOptions): Promise<AggregatorNode> {
  const log = options.logger ?? noopLogger
  const aggregator = new Aggregator(options)
  const maxPeers = options.maxPeers ?? aggregatorNodeDefaults.maxPeers
  const server = new Server({
    privateKey: options.privateKey,
    name: options.name ?? aggregatorNodeDefaults.name,
    network: options.network,
    listenAddress: options.listen ?? aggregatorNodeDefaults.listen,
    protocols: [aggregator.protocol],
    // With noDial every slot is an inbound one.
    maxPeers,
    noDial: true,
    noDiscovery: true,
    logger: log,
    ...(options.clock ? { clock: options.clock } : {}),
  })
  const http =
    options.http === null
      ? undefined
      : new AggregatorHttpServer({
          aggregator,
          ...(options.http ?? aggregatorNodeDefaults.http),
          logger: log,
        })
  try {
    await server.start()
    await http?.start()
  } catch (err) {
    await server.stop()
    await aggregator.close()
    throw err
  }
  const address = server.listenAddress ?? { ip: '127.0.0.1', port: 0 }
  const enode = formatEnode(
    new Node({
      id: server.id,
      ip: options.externalIp ?? address.ip,
      udp: address.port,
      tcp: address.port,
    }),
  )
  log.info('aggregator started', {
    enode,
    ...(http?.address ? { http: `http://${http.address.host}:${http.address.port}` } : {}),
  })
  return {
    aggregator,
    server,
    http,
    enode,
    async stop() {
      await http?.stop()
      await server.stop()
      await aggregator.close()
    },
  }
}

import { readFile } from 'node:fs/promises'
import { networkInterfaces } from 'node:os'
import { basename, join } from 'node:path'
import { type Logger, type Startable, systemClock, useFastCrypto } from '@x/core'
import {
  DnsClient,
  dnsNodes,
  type EnodeHost,
  type HostResolver,
  isEnodeHost,
  loadNodeKey,
  loadOrCreateNodeKey,
  type Node,
  parseEnode,
  parseEnodeTarget,
  type TxtResolver,
} from '@x/discover'
import {
  type ChainConfig,
  chainFromGenesis,
  chains,
  EthService,
  ethNodeFilter,
  importChainFile,
  type MemoryBackend,
  memoryBackend,
  startEnrUpdater,
} from '@x/eth'
import { NodeHealth } from '@x/health'
import {
  type DialSource,
  hostPort,
  natFromSpec,
  type Protocol,
  rlpx,
  Server,
  serverDefaults,
  tcpNetwork,
} from '@x/p2p'
import { type NodeConfig, parseEnodeList } from './config.js'
import { logChainStatus, logDiscovery, logEth, logServer } from './events.js'
import { NodeHeartbeat } from './heartbeat.js'
import { nodeMetrics } from './metrics.js'
import { MetricsServer } from './metrics-server.js'
import { NodeReporter } from './report.js'
import { adminMethods, type RpcNode, rpcHttpHandler } from './rpc/index.js'
import { clientName } from './version.js'

/** A started node: what it is and its components. */
export interface RunningNode {
  /** Our node as advertised now (it follows the endpoint learned from peers or the gateway). */
  readonly self: Node
  /** `self` as an enode URL. */
  readonly enode: string
  /** The p2p server; `server.discovery` is discovery v4 unless `--nodiscover`. */
  readonly server: Server
  readonly eth: EthService
  /** Peer health; `health.http?.address` is where the endpoints listen (`--http.port`). */
  readonly health: NodeHealth
  readonly heartbeat: NodeHeartbeat
  /** The `--metrics` endpoint; `metrics?.address` is where it listens. */
  readonly metrics: MetricsServer | undefined
}

type Stop = () => Promise<void> | void

/**
 * The default listen address: all interfaces, IPv6 and IPv4 (`::`, dual-stack) where the host
 * has IPv6, else IPv4 only; as go-ethereum's default `:30303`.
 */
export function allInterfaces(
  interfaces: ReturnType<typeof networkInterfaces> = networkInterfaces(),
): string {
  const v6 = Object.values(interfaces).some((as) => as?.some((a) => a.family === 'IPv6'))
  return v6 ? '::' : '0.0.0.0'
}

async function nodeKey(config: NodeConfig, log: Logger): Promise<Uint8Array> {
  const given = config.nodekey
  if (given && 'key' in given) return given.key
  if (given) return loadNodeKey(given.file)
  const path = join(config.datadir, 'nodekey')
  const { key, created } = await loadOrCreateNodeKey(path)
  if (created) log.info('created node key', { path })
  return key
}

/** Name resolution a node uses, injected in tests (defaults: node:dns). */
export interface AppNodeResolvers {
  /** TXT lookups of DNS discovery (`--discovery.dns`). */
  txt?: TxtResolver
  /** Host names in enode URLs (bootnodes, static nodes). */
  host?: HostResolver
}

async function readNodes(file: string | undefined, flag: string): Promise<(Node | EnodeHost)[]> {
  if (file === undefined) return []
  return parseEnodeList(await readFile(file, 'utf8'), flag).map((url) => parseEnodeTarget(url))
}

/**
 * The chain of `--genesis` (else the built-in `--network`'s) in memory, with the blocks of
 * `--import` on top; undefined when neither flag is given (the eth service then builds its own).
 */
async function loadChain(
  config: NodeConfig,
  log: Logger,
): Promise<(MemoryBackend & { config: ChainConfig }) | undefined> {
  if (config.genesis === undefined && config.importFile === undefined) return undefined
  const chainConfig =
    config.genesis !== undefined
      ? await chainFromGenesis(await readFile(config.genesis, 'utf8'), basename(config.genesis))
      : (chains[config.network] as ChainConfig)
  if (config.genesis !== undefined) {
    log.info('genesis loaded', {
      file: config.genesis,
      hash: chainConfig.genesisHash,
      chainId: chainConfig.networkId.toString(),
    })
  }
  const backend = memoryBackend(chainConfig)
  if (config.importFile !== undefined) {
    const blocks = await importChainFile(backend.chain, await readFile(config.importFile))
    const head = backend.chain.head()
    log.info('chain imported', {
      file: config.importFile,
      blocks,
      head: head.number,
      hash: head.hash,
    })
  }
  return { ...backend, config: chainConfig }
}

function natName(spec: NonNullable<NodeConfig['nat']>): string {
  return spec.kind === 'extip' ? `extip:${spec.ip}` : spec.kind
}

/**
 * The node: construction keeps the config and opens nothing; `start()` starts every component
 * in order — key, the eth protocol and its chain, peer health, heartbeats, the p2p server over
 * RLPx with discovery v4 on its bound port and the node database in `<datadir>/nodes` — and
 * resolves once the node runs (`running` then describes it); `stop()` closes them in reverse
 * order: peers get Disconnect(client quitting), the node database is flushed and closed.
 * `stop()` is idempotent; a failed `start()` stops what it had started before it rejects.
 */
export class AppNode implements Startable {
  readonly #config: NodeConfig
  readonly #log: Logger
  readonly #env: Readonly<Record<string, string | undefined>>
  readonly #resolvers: AppNodeResolvers
  readonly #stops: Stop[] = []
  #running: RunningNode | undefined
  #stopping: Promise<void> | undefined

  constructor(
    config: NodeConfig,
    log: Logger,
    env: Readonly<Record<string, string | undefined>> = process.env,
    resolvers: AppNodeResolvers = {},
  ) {
    this.#config = config
    this.#log = log
    this.#env = env
    this.#resolvers = resolvers
  }

  /** The started node's components; undefined before `start()` and after `stop()`. */
  get running(): RunningNode | undefined {
    return this.#running
  }

  async start(): Promise<void> {
    if (this.#running) return
    try {
      this.#running = await this.#start(this.#stops)
    } catch (err) {
      await this.#stopAll()
      throw err
    }
  }

  stop(): Promise<void> {
    this.#stopping ??= this.#stopAll().then(() => this.#log.info('node stopped'))
    return this.#stopping
  }

  async #stopAll(): Promise<void> {
    this.#running = undefined
    for (const stop of this.#stops.splice(0).reverse()) {
      try {
        await stop()
      } catch (err) {
        this.#log.error('error while stopping', { err })
      }
    }
  }

  async #start(stops: Stop[]): Promise<RunningNode> {
    const config = this.#config
    const log = this.#log
    const crypto = await useFastCrypto()
    log.debug('crypto backend', { backend: crypto.name })
    const key = await nodeKey(config, log)
    const name = config.identity ? clientName.replace('/', `/${config.identity}/`) : clientName
    const staticNodes = await readNodes(config.staticFile, '--static')
    const trusted = await readNodes(config.trustedFile, '--trusted')
    // Trust is given to an identity at an address: a host name there is refused.
    const trustedNodes = trusted.filter((n): n is Node => !isEnodeHost(n))
    if (trustedNodes.length < trusted.length) {
      log.warn('--trusted: entries with a host name are ignored', {
        ignored: trusted.length - trustedNodes.length,
      })
    }
    const dialSources: DialSource[] = []
    if (config.dnsDiscovery.length > 0) {
      const client = new DnsClient({
        ...(this.#resolvers.txt && { resolver: this.#resolvers.txt }),
        logger: log.child({ module: 'dnsdisc' }),
      })
      const urls = config.dnsDiscovery
      dialSources.push((o) => dnsNodes(client, urls, o))
      log.info('DNS discovery', { trees: urls })
    }

    const reporter = new NodeReporter()
    const routes = { '/node': () => reporter.report() ?? { error: 'node not running' } }
    // --http: the admin JSON-RPC API at POST / on the health endpoints' port (README "HTTP").
    let rpcNode: RpcNode | undefined
    const post = config.http?.rpc
      ? {
          '/': rpcHttpHandler(
            adminMethods(() => rpcNode),
            log.child({ module: 'rpc' }),
          ),
        }
      : undefined
    const health = new NodeHealth({
      ...(config.http && {
        http: { host: config.http.addr, port: config.http.port, routes, ...(post && { post }) },
      }),
      minPeers: 1,
      requireDiscovery: !config.nodiscover,
      logger: log.child({ module: 'health' }),
    })

    const chain = await loadChain(config, log)
    const eth = new EthService({
      network: chain?.config ?? config.network,
      ...(chain && { backend: chain }),
      ...(config.networkid !== undefined && { networkId: config.networkid }),
      ...(config.follow !== undefined && { followPeers: config.follow }),
      // The fetchers ask healthy, fast peers first (ping/1 and base Ping/Pong RTTs).
      comparePeers: health.tracker.compare,
      logger: log.child({ module: 'eth' }),
    })
    await eth.start()
    stops.push(() => eth.stop())
    logEth(eth, log)
    stops.push(logChainStatus(eth, log))
    const heartbeat = new NodeHeartbeat({
      config,
      logger: log.child({ module: 'heartbeat' }),
      env: this.#env,
    })

    const protocols: Protocol[] = [...eth.protocols, health.ping]
    if (heartbeat.protocol) protocols.push(heartbeat.protocol)
    const network = tcpNetwork(rlpx, { logger: log.child({ module: 'rlpx' }) })
    // Opens nothing: extip is only advertised; a gateway is asked after the server started.
    const nat = natFromSpec(config.nat, systemClock)
    const server = new Server({
      privateKey: key,
      name,
      listenAddress: { ip: config.addr ?? allInterfaces(), port: config.port },
      ...(nat && { nat }),
      maxPeers: config.maxpeers,
      maxPendingPeers: config.maxpendpeers || serverDefaults.maxPendingPeers,
      noDial: config.nodial,
      noDiscovery: config.nodiscover,
      bootnodes: config.bootnodes,
      // Discovery v4 inside the server, as go-ethereum: on the bound port, feeding the dialer,
      // with its node database in <datadir>/nodes; stopped (database flushed) after the peers.
      ...(!config.nodiscover && {
        discoveryV4: {
          port: config.discport,
          nodeDatabase: join(config.datadir, 'nodes'),
          maintenance: config.discoveryTiming,
          // The clock-drift check asks pool.ntp.org: only on a public network.
          ...(!config.ntp && { ntp: false as const }),
          ...(config.minStatements !== undefined && {
            ipTracker: { minStatements: config.minStatements },
          }),
        },
      }),
      // --v5disc: discovery v5 on v4's socket (what v4 cannot decode goes to v5).
      ...(!config.nodiscover &&
        config.v5disc && { discoveryV5: { bootnodes: config.bootnodesv5 } }),
      staticNodes,
      trustedNodes,
      dialSources,
      ...(this.#resolvers.host && { hostResolver: this.#resolvers.host }),
      netRestrict: config.netrestrict,
      // Discovered nodes are dialed only when their record's `eth` entry passes our fork filter,
      // as go-ethereum's eth.NewNodeFilter (static nodes and bootnodes are not filtered).
      dialFilter: ethNodeFilter(eth),
      protocols,
      // The server's message events feed the metrics (p2p_ingress, p2p_egress).
      messageEvents: config.metrics !== undefined,
      onMessage: (e) => {
        reporter.onMessage(e)
        health.liveness.messageEvent(e)
      },
      network,
      logger: log.child({ module: 'p2p' }),
    })
    logServer(server, log)
    // Metrics listen before the server starts, so that no peer or message goes uncounted.
    const metering = new AbortController()
    stops.push(() => metering.abort())
    const metrics = config.metrics
      ? nodeMetrics(
          { server, discovery: () => server.discovery, tracker: health.tracker },
          metering.signal,
        )
      : undefined
    await server.start()
    const d = server.discovery
    stops.push(async () => {
      await server.stop()
      if (d) log.info('node database closed')
    })
    if (d) stops.push(logDiscovery(d, log))
    // The record's `eth` entry with our current fork id (EIP-2124), as go-ethereum's: its dialer
    // skips discovered nodes without one that passes its fork filter.
    if (d) stops.push(startEnrUpdater(eth, (entries) => d.udp.setEnrEntries(entries)))

    const reporting = new AbortController()
    reporter.attach(server, reporting.signal)
    stops.push(() => reporting.abort())
    health.attach(server, d ? { discovery: d } : {})
    await health.start()
    stops.push(() => health.stop())

    stops.push(() => heartbeat.stop())
    heartbeat.attach(server, { eth, privateKey: key, network, clientVersion: name })
    await heartbeat.start()
    metrics?.countHeartbeats(heartbeat.services)
    let metricsServer: MetricsServer | undefined
    if (metrics && config.metrics) {
      metricsServer = new MetricsServer({
        registry: metrics.registry,
        host: config.metrics.addr,
        port: config.metrics.port,
        logger: log.child({ module: 'metrics' }),
      })
      await metricsServer.start()
      const m = metricsServer
      stops.push(() => m.stop())
    }
    rpcNode = { server, networkId: eth.networkId, clientVersion: clientName }
    stops.push(() => {
      rpcNode = undefined
    })

    const info = server.nodeInfo()
    log.info('node started', {
      enode: info.enode,
      ...(server.discoveryV5 && { enr: info.enr, discv5: true }),
      listen: server.listenAddress && hostPort(server.listenAddress),
      ...(config.nat && { nat: natName(config.nat) }),
      datadir: config.datadir,
      crypto: crypto.name,
      network: eth.chain.name,
      networkId: eth.networkId.toString(),
      bootnodes: config.bootnodes.length,
      protocols: protocols.map((p) => `${p.name}/${p.version}`),
    })
    return {
      get self() {
        return parseEnode(server.nodeInfo().enode)
      },
      get enode() {
        return server.nodeInfo().enode
      },
      server,
      eth,
      health,
      heartbeat,
      metrics: metricsServer,
    }
  }
}

import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import {
  Discovery,
  formatEnode,
  type Logger,
  loadOrCreateNodeKey,
  MemoryNodeDB,
  Node,
  nodeIdFromPrivateKey,
  parseEnode,
  useFastCrypto,
} from '@x/discover'
import { devnet, EthHandler, mainnet, memoryBackend } from '@x/eth'
import { NodeHealth } from '@x/health'
import { NetRestrict, type Protocol, rlpx, Server, tcpNetwork } from '@x/p2p'
import { type NodeConfig, parseEnodeList } from './config.js'
import { logDiscovery, logEth, logHealth, logServer } from './events.js'
import { clientName } from './version.js'

/** A running node: what it is and how to stop it. */
export interface RunningNode {
  readonly self: Node
  readonly enode: string
  readonly server: Server
  readonly discovery: Discovery | undefined
  readonly eth: EthHandler
  readonly health: NodeHealth
  /** Where the operator endpoints listen, when `--http.port` was given. */
  readonly httpAddress: { host: string; port: number } | undefined
  /** Stops every component in reverse order; peers get Disconnect(client quitting). Idempotent. */
  stop(): Promise<void>
}

/** A devnet block every 12 s, as on a post-merge chain. */
const devnetBlockInterval = 12_000

async function readNodes(file: string | undefined, flag: string): Promise<Node[]> {
  if (file === undefined) return []
  return parseEnodeList(await readFile(file, 'utf8'), flag).map((url) => parseEnode(url))
}

/**
 * Starts every component of the node in order — key, discovery (with its node database), the
 * eth protocol and its in-memory chain, peer health, the p2p server over RLPx — and returns a
 * handle whose `stop()` closes them in reverse order.
 */
export async function startNode(config: NodeConfig, log: Logger): Promise<RunningNode> {
  const crypto = await useFastCrypto()
  log.debug('crypto backend', { backend: crypto.name })
  const keyPath = join(config.datadir, 'nodekey')
  const { key, created } = await loadOrCreateNodeKey(keyPath)
  if (created) log.info('created node key', { path: keyPath })
  const staticNodes = await readNodes(config.staticFile, '--static')
  const trustedNodes = await readNodes(config.trustedFile, '--trusted')
  const netRestrict = config.netrestrict.length > 0 ? new NetRestrict(config.netrestrict) : null
  const stops: (() => Promise<void> | void)[] = []
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) {
      try {
        await stop()
      } catch (err) {
        log.error('error while stopping', { error: err })
      }
    }
  }

  try {
    let discovery: Discovery | undefined
    if (!config.nodiscover) {
      discovery = await Discovery.start({
        privateKey: key,
        host: config.extip,
        port: config.discport,
        tcpPort: config.port,
        ip: config.extip,
        bootnodes: config.bootnodes,
        db: new MemoryNodeDB(),
        logger: log.child({ module: 'discover' }),
        ...(netRestrict && { netrestrict: (ip: string) => netRestrict.contains(ip) }),
      })
      const d = discovery
      stops.push(() => d.close())
    }

    const chain = config.network === 'devnet' ? devnet : mainnet
    const backend = memoryBackend(chain, { maxPoolTxs: 4096 })
    const eth = new EthHandler({
      backend,
      chain,
      ...(config.networkid !== undefined && { networkId: BigInt(config.networkid) }),
      logger: log.child({ module: 'eth' }),
    })
    const unsubscribe = backend.chain.onBlock((block, td) => eth.broadcastBlock(block, td))
    if (config.network === 'devnet') backend.chain.start(devnetBlockInterval)
    stops.push(() => {
      unsubscribe()
      backend.chain.stop()
      eth.close()
    })

    const health = new NodeHealth({
      ...(config.http && { http: { host: config.http.addr, port: config.http.port } }),
      minPeers: 1,
      requireDiscovery: !config.nodiscover,
      logger: log.child({ module: 'health' }),
    })

    const protocols: Protocol[] = [...eth.protocols, health.ping]
    const server = new Server({
      privateKey: key,
      name: clientName,
      listenAddress: { ip: config.extip, port: config.port },
      externalIp: config.extip,
      maxPeers: config.maxpeers,
      noDial: config.nodial,
      noDiscovery: config.nodiscover,
      ...(discovery && { discovery }),
      bootnodes: config.bootnodes.filter((u) => u.startsWith('enode:')).map((u) => parseEnode(u)),
      staticNodes,
      trustedNodes,
      netRestrict: config.netrestrict,
      protocols,
      onMessage: health.liveness.messageEvent,
      network: tcpNetwork(rlpx, { logger: log.child({ module: 'rlpx' }) }),
      logger: log.child({ module: 'p2p' }),
    })
    logServer(server, log)
    logEth(eth, log)
    logHealth(health, log)
    await server.start()
    stops.push(() => server.stop())
    const listen = server.listenAddress
    const tcpPort = listen?.port ?? config.port
    if (discovery && tcpPort !== discovery.self.tcp) discovery.udp.updateEndpoint({ tcp: tcpPort })
    if (discovery) stops.push(logDiscovery(discovery, log))

    let discoveryRunning = discovery !== undefined
    stops.push(() => {
      discoveryRunning = false
    })
    health.attach(server, { discoveryRunning: () => discoveryRunning })
    await health.start()
    stops.push(() => health.stop())
    const httpAddress = health.http?.address
    if (httpAddress) {
      log.info('health endpoints', { url: `http://${httpAddress.host}:${httpAddress.port}` })
    }

    const self = new Node({
      id: nodeIdFromPrivateKey(key),
      ip: config.extip,
      udp: discovery?.self.udp ?? 0,
      tcp: tcpPort,
    })
    const enode = formatEnode(self)
    log.info('node started', {
      enode,
      datadir: config.datadir,
      crypto: crypto.name,
      network: config.network,
      networkId: (config.networkid ?? Number(chain.networkId)).toString(),
      protocols: protocols.map((p) => `${p.name}/${p.version}`),
    })
    let stopping: Promise<void> | undefined
    return {
      self,
      enode,
      server,
      discovery,
      eth,
      health,
      httpAddress,
      stop() {
        stopping ??= stopAll().then(() => log.info('node stopped'))
        return stopping
      },
    }
  } catch (err) {
    await stopAll()
    throw err
  }
}

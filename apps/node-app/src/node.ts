import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import {
  formatEnode,
  type Logger,
  loadOrCreateNodeKey,
  Node,
  nodeIdFromPrivateKey,
  parseEnode,
  useFastCrypto,
} from '@x/discover'
import { createEthService, type EthService, startEnrUpdater } from '@x/eth'
import { NodeHealth } from '@x/health'
import { type Protocol, rlpx, Server, tcpNetwork } from '@x/p2p'
import { type NodeConfig, parseEnodeList } from './config.js'
import { logChainStatus, logDiscovery, logEth, logServer } from './events.js'
import { NodeHeartbeat } from './heartbeat.js'
import { clientName } from './version.js'

/** A running node: what it is and how to stop it. */
export interface RunningNode {
  readonly self: Node
  readonly enode: string
  /** The p2p server; `server.discovery` is discovery v4 unless `--nodiscover`. */
  readonly server: Server
  readonly eth: EthService
  /** Peer health; `health.http?.address` is where the endpoints listen (`--http.port`). */
  readonly health: NodeHealth
  readonly heartbeat: NodeHeartbeat
  /**
   * Stops every component in reverse order: peers get Disconnect(client quitting), the node
   * database is flushed and closed. Idempotent.
   */
  stop(): Promise<void>
}

async function readNodes(file: string | undefined, flag: string): Promise<Node[]> {
  if (file === undefined) return []
  return parseEnodeList(await readFile(file, 'utf8'), flag).map((url) => parseEnode(url))
}

/**
 * Starts every component of the node in order — key, the eth protocol and its chain, peer
 * health, heartbeats, the p2p server over RLPx with discovery v4 on its bound port and the node
 * database in `<datadir>/nodes` — and returns a handle whose `stop()` closes them in reverse
 * order.
 */
export async function startNode(
  config: NodeConfig,
  log: Logger,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<RunningNode> {
  const crypto = await useFastCrypto()
  log.debug('crypto backend', { backend: crypto.name })
  const keyPath = join(config.datadir, 'nodekey')
  const { key, created } = await loadOrCreateNodeKey(keyPath)
  if (created) log.info('created node key', { path: keyPath })
  const selfId = nodeIdFromPrivateKey(key)
  const staticNodes = await readNodes(config.staticFile, '--static')
  const trustedNodes = await readNodes(config.trustedFile, '--trusted')
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
    const eth = createEthService({
      network: config.network,
      ...(config.networkid !== undefined && { networkId: config.networkid }),
      logger: log.child({ module: 'eth' }),
    })
    stops.push(() => eth.close())
    logEth(eth, log)
    stops.push(logChainStatus(eth, log))

    const health = new NodeHealth({
      ...(config.http && { http: { host: config.http.addr, port: config.http.port } }),
      minPeers: 1,
      requireDiscovery: !config.nodiscover,
      logger: log.child({ module: 'health' }),
    })
    const heartbeat = new NodeHeartbeat(config, log.child({ module: 'heartbeat' }))
    stops.push(() => heartbeat.close())

    const protocols: Protocol[] = [...eth.protocols, health.ping]
    if (heartbeat.protocol) protocols.push(heartbeat.protocol)
    const network = tcpNetwork(rlpx, { logger: log.child({ module: 'rlpx' }) })
    const server = new Server({
      privateKey: key,
      name: clientName,
      listenAddress: { ip: config.extip, port: config.port },
      externalIp: config.extip,
      maxPeers: config.maxpeers,
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
        },
      }),
      staticNodes,
      trustedNodes,
      netRestrict: config.netrestrict,
      protocols,
      onMessage: health.liveness.messageEvent,
      network,
      logger: log.child({ module: 'p2p' }),
    })
    logServer(server, log)
    await server.start()
    const tcpPort = server.listenAddress?.port ?? config.port
    const d = server.discovery
    stops.push(async () => {
      await server.stop()
      if (d) log.info('node database closed')
    })
    if (d) stops.push(logDiscovery(d, log))
    // The record's `eth` entry with our current fork id (EIP-2124), as go-ethereum's: its dialer
    // skips discovered nodes without one that passes its fork filter.
    if (d) stops.push(startEnrUpdater(eth, (entries) => d.udp.setEnrEntries(entries)))

    health.attach(server, d ? { discovery: d } : {})
    await health.start()
    stops.push(() => health.stop())

    stops.push(() => heartbeat.stop())
    await heartbeat.start(server, eth, { privateKey: key, network, clientVersion: clientName }, env)

    const self = new Node({ id: selfId, ip: config.extip, udp: d?.self.udp ?? 0, tcp: tcpPort })
    const enode = formatEnode(self)
    log.info('node started', {
      enode,
      datadir: config.datadir,
      crypto: crypto.name,
      network: config.network,
      networkId: eth.networkId.toString(),
      protocols: protocols.map((p) => `${p.name}/${p.version}`),
    })
    let stopping: Promise<void> | undefined
    return {
      self,
      enode,
      server,
      eth,
      health,
      heartbeat,
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

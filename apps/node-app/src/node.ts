import { readFile } from 'node:fs/promises'
import { networkInterfaces } from 'node:os'
import { join } from 'node:path'
import { type Logger, type Startable, systemClock, useFastCrypto } from '@x/core'
import { loadNodeKey, loadOrCreateNodeKey, type Node, parseEnode } from '@x/discover'
import { EthService, forkIdAt } from '@x/eth'
import { NodeHealth } from '@x/health'
import { natFromSpec, type Protocol, rlpx, Server, serverDefaults, tcpNetwork } from '@x/p2p'
import { type NodeConfig, parseEnodeList } from './config.js'
import { logChainStatus, logDiscovery, logEth, logServer } from './events.js'
import { NodeHeartbeat } from './heartbeat.js'
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

async function readNodes(file: string | undefined, flag: string): Promise<Node[]> {
  if (file === undefined) return []
  return parseEnodeList(await readFile(file, 'utf8'), flag).map((url) => parseEnode(url))
}

/**
 * Our record's `eth` entry, `[[fork hash, fork next]]` (EIP-2124 in the ENR; go-ethereum's
 * `eth.currentENREntry`): geth dials only nodes whose record has one its fork filter accepts.
 * Set once at start (a devnet has every fork at genesis).
 */
function ethEnrEntry(eth: EthService): [[Uint8Array, bigint]] {
  const head = eth.backend.chain.head()
  const id = forkIdAt(eth.chain, head.number, head.time)
  const hash = new Uint8Array(4)
  new DataView(hash.buffer).setUint32(0, id.hash)
  return [[hash, id.next]]
}

function hostPort(a: { ip: string; port: number }): string {
  return a.ip.includes(':') ? `[${a.ip}]:${a.port}` : `${a.ip}:${a.port}`
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
  readonly #stops: Stop[] = []
  #running: RunningNode | undefined
  #stopping: Promise<void> | undefined

  constructor(
    config: NodeConfig,
    log: Logger,
    env: Readonly<Record<string, string | undefined>> = process.env,
  ) {
    this.#config = config
    this.#log = log
    this.#env = env
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
        this.#log.error('error while stopping', { error: err })
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
    const trustedNodes = await readNodes(config.trustedFile, '--trusted')

    const eth = new EthService({
      network: config.network,
      ...(config.networkid !== undefined && { networkId: config.networkid }),
      logger: log.child({ module: 'eth' }),
    })
    await eth.start()
    stops.push(() => eth.stop())
    logEth(eth, log)
    stops.push(logChainStatus(eth, log))

    const health = new NodeHealth({
      ...(config.http && { http: { host: config.http.addr, port: config.http.port } }),
      minPeers: 1,
      requireDiscovery: !config.nodiscover,
      logger: log.child({ module: 'health' }),
    })
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
          ...(config.minStatements !== undefined && {
            ipTracker: { minStatements: config.minStatements },
          }),
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
    const d = server.discovery
    stops.push(async () => {
      await server.stop()
      if (d) log.info('node database closed')
    })
    if (d) {
      stops.push(logDiscovery(d, log))
      d.udp.setEnrEntries({ eth: ethEnrEntry(eth) })
    }

    health.attach(server, d ? { discovery: d } : {})
    await health.start()
    stops.push(() => health.stop())

    stops.push(() => heartbeat.stop())
    heartbeat.attach(server, { eth, privateKey: key, network, clientVersion: name })
    await heartbeat.start()

    const info = server.nodeInfo()
    log.info('node started', {
      enode: info.enode,
      listen: server.listenAddress && hostPort(server.listenAddress),
      ...(config.nat && { nat: natName(config.nat) }),
      datadir: config.datadir,
      crypto: crypto.name,
      network: config.network,
      networkId: eth.networkId.toString(),
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
    }
  }
}

import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { isLogFormat, type LogFormat, type LogThreshold, verbosityLevel } from '@x/core'
import { bootnodes as builtinBootnodes, dnsTrees, isPublicNetwork } from '@x/discover'
import type { NatSpec } from '@x/p2p'
import { withConfigFile } from './config-file.js'
import {
  ConfigError,
  cidr,
  duration,
  durationMs,
  enode,
  enrtree,
  identity,
  ip,
  list,
  logVerbosity,
  natSpec,
  nodekey,
  port,
  show,
  uint,
} from './flag-values.js'

export { ConfigError } from './flag-values.js'

export type NetworkName = 'mainnet' | 'sepolia' | 'hoodi' | 'devnet'

const networks: readonly NetworkName[] = ['mainnet', 'sepolia', 'hoodi', 'devnet']

export interface NodeConfig {
  datadir: string
  /** TCP listening port (RLPx); also the UDP port unless discport is set. 0 = any free port. */
  port: number
  /** UDP discovery port. */
  discport: number
  /**
   * Address TCP and UDP listen on; undefined = all interfaces (IPv6 and IPv4 where the host
   * has IPv6, else IPv4).
   */
  addr?: string
  /** How the advertised endpoint is found (`--nat`); undefined = none: predicted from Pongs. */
  nat?: NatSpec
  /** Node key: a file to read (`--nodekey`), or the key itself (`--nodekeyhex`). */
  nodekey?: { file: string } | { key: Uint8Array }
  /** Inbound connections in the handshake phase at once (`--maxpendpeers`; 0 = default 50). */
  maxpendpeers: number
  /** Custom node name put in the client id of our hello (`--identity`). */
  identity?: string
  /** Pongs from distinct hosts that must agree before our endpoint is learned (default 10). */
  minStatements?: number
  /** geth's `--verbosity` 0-5 (3 = info); 5 also prints stack traces of fatal errors. */
  verbosity: number
  logLevel: LogThreshold
  /** `--log.format`; undefined: `terminal` when stdout is a TTY, else `json`. */
  logFormat?: LogFormat
  /**
   * Bootstrap nodes: enode URLs (host names allowed) or `enr:` records — those of `--bootnodes`,
   * else the built-in list of an explicitly selected public network (go-ethereum's), else none.
   */
  bootnodes: string[]
  /**
   * EIP-1459 trees (`enrtree://…`) whose nodes are dial candidates: `--discovery.dns`, else the
   * public network's tree (go-ethereum's `KnownDNSNetwork`), else none; none with `--nodiscover`.
   */
  dnsDiscovery: string[]
  /** SNTP clock-drift check (pool.ntp.org): only on a public network, never on the devnet. */
  ntp: boolean
  nodiscover: boolean
  /** `--v5disc`: discovery v5 beside v4, on the same UDP port (go-ethereum's `--v5disc`). */
  v5disc: boolean
  /** `--bootnodesv5`: discovery v5 entry points, `enr:` records. */
  bootnodesv5: string[]
  maxpeers: number
  nodial: boolean
  /** Files with one enode URL per line (# comments allowed). */
  staticFile?: string
  trustedFile?: string
  /** CIDR allow-list, e.g. `127.0.0.0/8,10.0.0.0/8`. */
  netrestrict: string[]
  network: NetworkName
  /**
   * A geth genesis.json: the chain (fork schedule, genesis block, network id = its chainId)
   * instead of a built-in `network`.
   */
  genesis?: string
  /** A chain file (RLP blocks, `geth export` format) imported on top of the genesis at start. */
  importFile?: string
  /**
   * Catch up with eth peers whose chain is ahead (import their headers and bodies into the
   * in-memory chain); undefined: the eth service's default (on for a chain without forks after
   * genesis, off otherwise).
   */
  follow?: boolean
  /** Network id announced in eth Status; defaults to the chosen network's. */
  networkid?: number
  /**
   * Operator HTTP endpoints (off unless --http, --http.port or --http.addr is given): the health
   * endpoints, and with `rpc` (--http) the admin JSON-RPC API on the same port.
   */
  http?: { addr: string; port: number; rpc: boolean }
  /** Prometheus metrics endpoint (off unless --metrics, --metrics.addr or --metrics.port). */
  metrics?: { addr: string; port: number }
  heartbeat?: { target: string; period: string; nickname: string }
  /** Discovery table timing (ms) when not go-ethereum's defaults; for devnets and tests. */
  discoveryTiming: {
    revalidateIntervalMs?: number
    copyNodesIntervalMs?: number
    seedMinTableTimeMs?: number
  }
  /** Run the heartbeat aggregator inside this node; its HTTP API on `aggregatorHttp`. */
  aggregator: boolean
  aggregatorHttp?: { addr: string; port: number }
}

export const options = {
  datadir: { type: 'string' },
  port: { type: 'string' },
  discport: { type: 'string' },
  extip: { type: 'string' },
  addr: { type: 'string' },
  nat: { type: 'string' },
  nodekey: { type: 'string' },
  nodekeyhex: { type: 'string' },
  identity: { type: 'string' },
  maxpendpeers: { type: 'string' },
  'discovery.minstatements': { type: 'string' },
  bootnodes: { type: 'string' },
  nodiscover: { type: 'boolean' },
  v5disc: { type: 'boolean' },
  bootnodesv5: { type: 'string' },
  maxpeers: { type: 'string' },
  nodial: { type: 'boolean' },
  static: { type: 'string' },
  trusted: { type: 'string' },
  netrestrict: { type: 'string' },
  network: { type: 'string' },
  genesis: { type: 'string' },
  import: { type: 'string' },
  follow: { type: 'boolean' },
  networkid: { type: 'string' },
  http: { type: 'boolean' },
  'http.addr': { type: 'string' },
  'http.port': { type: 'string' },
  metrics: { type: 'boolean' },
  'metrics.addr': { type: 'string' },
  'metrics.port': { type: 'string' },
  'heartbeat.target': { type: 'string' },
  'heartbeat.period': { type: 'string' },
  'heartbeat.nickname': { type: 'string' },
  aggregator: { type: 'boolean' },
  'aggregator.http.port': { type: 'string' },
  loglevel: { type: 'string' },
  verbosity: { type: 'string' },
  'log.format': { type: 'string' },
  config: { type: 'string' },
  'discovery.revalidate': { type: 'string' },
  'discovery.copy': { type: 'string' },
  'discovery.seedtime': { type: 'string' },
  'discovery.dns': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const

export type FlagValues = ReturnType<
  typeof parseArgs<{ args: string[]; strict: true; options: typeof options }>
>['values']

export function parseConfig(argv: string[], cwd = process.cwd()): NodeConfig | 'help' {
  let values: FlagValues
  // `pnpm --filter node-app start -- --flag` hands the script a literal `--` first: skip it.
  const args = argv[0] === '--' ? argv.slice(1) : argv
  try {
    values = parseArgs({ args, strict: true, options }).values
  } catch (err) {
    throw new ConfigError((err as Error).message)
  }
  if (values.help) return 'help'
  if (values.config !== undefined) values = withConfigFile(values, resolve(cwd, values.config))
  const tcp = port(values.port, '--port', 30303)
  const verbosity = logVerbosity(values.verbosity, values.loglevel)
  const logFormat = values['log.format']
  if (logFormat !== undefined && !isLogFormat(logFormat)) {
    throw new ConfigError(`--log.format must be json, logfmt or terminal, got ${show(logFormat)}`)
  }
  const network = (values.network ?? 'devnet') as NetworkName
  if (!networks.includes(network)) {
    throw new ConfigError(`--network must be ${networks.join(', ')}, got ${show(network)}`)
  }
  const nodiscover = values.nodiscover ?? false
  // A public network's entry points only when it was chosen explicitly (the default is the
  // devnet), and, as geth, no DNS discovery with --nodiscover. Without discovery the built-in
  // bootnodes are not used either: the dialer's fallback would be the only thing to use them.
  const publicNet = values.network !== undefined && isPublicNetwork(network) ? network : undefined
  const bootnodes =
    values.bootnodes !== undefined
      ? list(values.bootnodes).map((u) => enode(u, '--bootnodes'))
      : publicNet && !nodiscover
        ? [...builtinBootnodes[publicNet]]
        : []
  const dns = values['discovery.dns']
  const dnsDiscovery = nodiscover
    ? []
    : dns !== undefined
      ? list(dns).map(enrtree)
      : publicNet
        ? [dnsTrees[publicNet]]
        : []
  const rpc = values.http ?? false
  const httpOn = rpc || values['http.port'] !== undefined || values['http.addr'] !== undefined
  const metricsOn =
    (values.metrics ?? false) ||
    values['metrics.addr'] !== undefined ||
    values['metrics.port'] !== undefined
  const target = values['heartbeat.target']
  const config: NodeConfig = {
    datadir: resolve(cwd, values.datadir ?? 'data'),
    port: tcp,
    discport: port(values.discport, '--discport', tcp),
    maxpendpeers: uint(values.maxpendpeers, '--maxpendpeers', 0),
    verbosity,
    logLevel: verbosityLevel(verbosity),
    bootnodes,
    dnsDiscovery,
    ntp: publicNet !== undefined,
    nodiscover,
    v5disc: values.v5disc ?? false,
    bootnodesv5: list(values.bootnodesv5).map((u) => {
      if (!u.startsWith('enr:')) throw new ConfigError(`--bootnodesv5: not an enr: record: ${u}`)
      return enode(u, '--bootnodesv5')
    }),
    maxpeers: uint(values.maxpeers, '--maxpeers', 50),
    nodial: values.nodial ?? false,
    netrestrict: list(values.netrestrict).map(cidr),
    network,
    aggregator: values.aggregator ?? false,
    discoveryTiming: {},
  }
  const timing: [string | undefined, string, keyof NodeConfig['discoveryTiming']][] = [
    [values['discovery.revalidate'], '--discovery.revalidate', 'revalidateIntervalMs'],
    [values['discovery.copy'], '--discovery.copy', 'copyNodesIntervalMs'],
    [values['discovery.seedtime'], '--discovery.seedtime', 'seedMinTableTimeMs'],
  ]
  for (const [value, flag, key] of timing) {
    if (value !== undefined) config.discoveryTiming[key] = durationMs(value, flag)
  }
  if (values.addr !== undefined) config.addr = ip(values.addr, '--addr')
  const nat = natSpec(values.nat, values.extip)
  if (nat) config.nat = nat
  const key = nodekey(values.nodekey, values.nodekeyhex, cwd)
  if (key) config.nodekey = key
  if (values.identity !== undefined) config.identity = identity(values.identity)
  if (values['discovery.minstatements'] !== undefined) {
    config.minStatements = uint(
      values['discovery.minstatements'],
      '--discovery.minstatements',
      10,
      1,
    )
  }
  if (logFormat !== undefined) config.logFormat = logFormat
  if (values.static !== undefined) config.staticFile = resolve(cwd, values.static)
  if (values.trusted !== undefined) config.trustedFile = resolve(cwd, values.trusted)
  if (values.genesis !== undefined) {
    if (values.network !== undefined)
      throw new ConfigError('--genesis and --network exclude each other')
    config.genesis = resolve(cwd, values.genesis)
  }
  if (values.import !== undefined) config.importFile = resolve(cwd, values.import)
  if (values.follow !== undefined) config.follow = values.follow
  if (values.networkid !== undefined) {
    config.networkid = uint(values.networkid, '--networkid', 1, 1)
  }
  if (httpOn) {
    config.http = {
      addr: ip(values['http.addr'] ?? '127.0.0.1', '--http.addr'),
      port: port(values['http.port'], '--http.port', 8545),
      rpc,
    }
  }
  if (metricsOn) {
    config.metrics = {
      addr: ip(values['metrics.addr'] ?? '127.0.0.1', '--metrics.addr'),
      port: port(values['metrics.port'], '--metrics.port', 6060),
    }
  }
  if (target !== undefined) {
    config.heartbeat = {
      target: enode(target, '--heartbeat.target'),
      period: duration(values['heartbeat.period'] ?? '10s', '--heartbeat.period'),
      nickname: values['heartbeat.nickname'] ?? '',
    }
  } else if (
    values['heartbeat.period'] !== undefined ||
    values['heartbeat.nickname'] !== undefined
  ) {
    throw new ConfigError('--heartbeat.period and --heartbeat.nickname need --heartbeat.target')
  }
  if (config.aggregator) {
    config.aggregatorHttp = {
      addr: '127.0.0.1',
      port: port(values['aggregator.http.port'], '--aggregator.http.port', 0),
    }
  }
  return config
}

/** Reads a file of enode URLs: one per line, blank lines and `#` comments ignored. */
export function parseEnodeList(text: string, flag: string): string[] {
  return text
    .split('\n')
    .map((l) => l.replace(/#.*$/, '').trim())
    .filter((l) => l.length > 0)
    .map((l) => enode(l, flag))
}

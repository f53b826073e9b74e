import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import {
  isLogFormat,
  isLogLevel,
  isValidPort,
  type LogFormat,
  type LogThreshold,
  Netlist,
  normalizeIp,
  parseDuration,
  verbosityLevel,
} from '@x/core'
import {
  bootnodes as builtinBootnodes,
  dnsTrees,
  isPublicNetwork,
  parseEnodeTarget,
  parseEnrtreeUrl,
  parseNodeKey,
} from '@x/discover'
import { type NatSpec, parseNat } from '@x/p2p'
import { withConfigFile } from './config-file.js'

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

export const usage = `Usage: node-app [options]

  --datadir <dir>              where the node key and database live (default: ./data)
  --port <n>                   TCP listening port, also UDP unless --discport (default: 30303)
  --discport <n>               UDP discovery port (default: same as --port)
  --addr <ip>                  address to listen on, TCP and UDP (default: all interfaces,
                               IPv6 and IPv4 where the host has IPv6)
  --nat <mode>                 how the advertised endpoint is found: none | extip:<IP> | any |
                               upnp | pmp | pmp:<gateway IP> (default: none; the IP is then
                               learned from what peers see)
  --extip <ip>                 same as --nat extip:<ip> (advertised only, never bound)
  --nodekey <file>             node key file (hex); default <datadir>/nodekey, made if missing
  --nodekeyhex <hex>           node key as hex (for testing)
  --identity <name>            custom node name in the client id of our hello
  --maxpendpeers <n>           maximum pending connection attempts (default: 0 = 50)
  --bootnodes <urls>           comma-separated enode:// URLs (host names allowed) or enr: records
                               (default: the network's built-in list; none on the devnet)
  --nodiscover                 disable discovery (no UDP)
  --maxpeers <n>               maximum number of peers (default: 50)
  --nodial                     accept inbound peers only
  --static <file>              file of enode URLs to stay connected to
  --trusted <file>             file of enode URLs always allowed in, even when full
  --netrestrict <cidrs>        comma-separated CIDR allow-list for peers
  --network <name>             devnet | mainnet | sepolia | hoodi (default: devnet, a local
                               network that contacts nothing outside this machine)
  --genesis <file>             a geth genesis.json: its chain instead of --network (network
                               id: its config.chainId)
  --import <file>              import a chain file (RLP blocks, as \`geth export\` writes) on
                               top of the genesis at start, then serve it
  --discovery.dns <urls>       comma-separated enrtree:// DNS discovery trees; "" disables
                               (default: the network's tree; none on the devnet)
  --follow                     catch up with peers whose chain is ahead: fetch their headers
                               and bodies and import them (default: on for a chain without
                               forks after genesis, such as devnet)
  --networkid <n>              eth network id (default: the network's)
  --http                       serve the admin JSON-RPC API (POST /) next to the health
                               endpoints (default address 127.0.0.1:8545)
  --http.addr <ip>             serve /healthz, /readyz, /health/peers (default: 127.0.0.1)
  --http.port <n>              port of the HTTP endpoints (enables the health ones; default 8545)
  --metrics                    serve Prometheus metrics on /metrics (default 127.0.0.1:6060)
  --metrics.addr <ip>          address of the metrics endpoint (enables it; default 127.0.0.1)
  --metrics.port <n>           port of the metrics endpoint (enables it; default 6060)
  --heartbeat.target <enode>   send heartbeats to this aggregator
  --heartbeat.period <dur>     heartbeat period, e.g. 10s (default: 10s)
  --heartbeat.nickname <name>  nickname in heartbeats (default: none)
  --aggregator                 run a heartbeat aggregator on this node
  --aggregator.http.port <n>   port of the aggregator's HTTP API (default: 0 = any)
  --verbosity <0-5>            0 silent, 1 error, 2 warn, 3 info, 4 debug, 5 debug and stack
                               traces of fatal errors (default: 3)
  --loglevel <level>           debug | info | warn | error: the same as --verbosity 4 | 3 | 2 | 1
  --log.format <format>        json | logfmt | terminal (default: terminal on a TTY, else json)
  --config <file.toml>         read flags from a TOML file (key = flag name without --);
                               flags given on the command line override it
  -h, --help                   show this help

Commands:
  node-app dumpconfig [options]  print the effective config as TOML (for --config) and exit

Discovery table timing (devnets, tests; defaults are go-ethereum's):
  --discovery.revalidate <dur> mean time between liveness pings of table nodes (default: 10s)
  --discovery.copy <dur>       how often live table nodes are saved to the node database (default: 30s)
  --discovery.seedtime <dur>   time a node must be live in the table before it is saved as a
                               seed for the next start (default: 5m)
  --discovery.minstatements <n> Pongs from distinct hosts that must name the same endpoint
                               before it is advertised (default: 10)
`

/** A command-line flag that cannot work; the message is one line naming the flag. */
export class ConfigError extends Error {
  override name = 'ConfigError'
  readonly code = 'ERR_INVALID_FLAG'
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

const show = (v: unknown) => JSON.stringify(v)

function port(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback
  const n = /^[0-9]+$/.test(value) ? Number(value) : Number.NaN
  if (!isValidPort(n))
    throw new ConfigError(`${flag} must be a port number 0-65535, got ${show(value)}`)
  return n
}

function uint(value: string | undefined, flag: string, fallback: number, min = 0): number {
  if (value === undefined) return fallback
  const n = /^[0-9]+$/.test(value) ? Number(value) : Number.NaN
  if (!Number.isSafeInteger(n) || n < min) {
    throw new ConfigError(`${flag} must be an integer ≥ ${min}, got ${show(value)}`)
  }
  return n
}

function ip(value: string, flag: string): string {
  try {
    return normalizeIp(value)
  } catch {
    throw new ConfigError(`${flag} must be an IP address, got ${show(value)}`)
  }
}

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
}

function enode(url: string, flag: string): string {
  if (url.startsWith('enr:')) {
    if (!/^enr:[A-Za-z0-9_-]+$/.test(url)) throw new ConfigError(`${flag}: malformed record ${url}`)
    return url
  }
  try {
    parseEnodeTarget(url)
  } catch (err) {
    // Name the bad value once: the parser's message may already quote it.
    const message = (err as Error).message
    throw new ConfigError(`${flag}: ${message.includes(url) ? message : `${message}: ${url}`}`)
  }
  return url
}

function enrtree(url: string): string {
  try {
    parseEnrtreeUrl(url)
  } catch (err) {
    throw new ConfigError(`--discovery.dns: ${(err as Error).message}: ${url}`)
  }
  return url
}

/** A duration like "10s" (1 ms to 24 h), checked now so a typo fails at startup. */
function duration(value: string, flag: string): string {
  durationMs(value, flag)
  return value
}

function durationMs(value: string, flag: string): number {
  try {
    return parseDuration(value, flag)
  } catch (err) {
    throw new ConfigError((err as Error).message)
  }
}

/**
 * One `--netrestrict` entry, checked by @x/core's `Netlist` (go-ethereum's `netutil.Netlist`)
 * and given back with its address normalised (`::ffff:10.0.0.0/8` is not IPv4: the prefix
 * length counts the normalised address).
 */
function cidr(value: string): string {
  const slash = value.indexOf('/')
  const addr = value.slice(0, slash)
  const bits = value.slice(slash + 1)
  if (slash <= 0 || !/^[0-9]{1,3}$/.test(bits)) {
    throw new ConfigError(`--netrestrict: ${show(value)} is not a CIDR like 10.0.0.0/8`)
  }
  const normal = `${ip(addr, '--netrestrict')}/${Number(bits)}`
  try {
    new Netlist([normal])
  } catch {
    // The address parsed above, so only the prefix length can be wrong.
    throw new ConfigError(`--netrestrict: prefix length out of range in ${show(value)}`)
  }
  return normal
}

function natSpec(nat: string | undefined, extip: string | undefined): NatSpec | undefined {
  if (nat !== undefined && extip !== undefined) {
    throw new ConfigError('--nat and --extip are exclusive (--extip <ip> is --nat extip:<ip>)')
  }
  if (extip !== undefined) return { kind: 'extip', ip: ip(extip, '--extip') }
  if (nat === undefined) return undefined
  try {
    return parseNat(nat)
  } catch (err) {
    throw new ConfigError((err as Error).message)
  }
}

/** go-ethereum's `setNodeKey`: `--nodekey` and `--nodekeyhex` are exclusive. */
function nodekey(
  file: string | undefined,
  hex: string | undefined,
  cwd: string,
): NodeConfig['nodekey'] {
  if (file !== undefined && hex !== undefined) {
    throw new ConfigError('--nodekey and --nodekeyhex are mutually exclusive')
  }
  if (file !== undefined) return { file: resolve(cwd, file) }
  if (hex === undefined) return undefined
  try {
    return { key: parseNodeKey(hex) }
  } catch (err) {
    throw new ConfigError(`--nodekeyhex: ${(err as Error).message}`)
  }
}

/** A name for the client id: printable, no '/' (it separates the id's fields), ≤ 64 characters. */
function identity(name: string): string {
  if (!/^[\x21-\x2e\x30-\x7e]{1,64}$/.test(name)) {
    throw new ConfigError(
      `--identity must be 1-64 printable characters without spaces or '/', got ${show(name)}`,
    )
  }
  return name
}

const levelVerbosity = { error: 1, warn: 2, info: 3, debug: 4 } as const

/** `--verbosity` 0-5, else `--loglevel` (kept as an alias), else 3 (info). */
function logVerbosity(verbosity: string | undefined, loglevel: string | undefined): number {
  if (verbosity !== undefined) {
    if (loglevel !== undefined)
      throw new ConfigError('--verbosity and --loglevel exclude each other')
    if (!/^[0-5]$/.test(verbosity)) {
      throw new ConfigError(`--verbosity must be 0-5, got ${show(verbosity)}`)
    }
    return Number(verbosity)
  }
  if (loglevel === undefined) return 3
  if (!isLogLevel(loglevel)) {
    throw new ConfigError(`--loglevel must be debug, info, warn or error, got ${show(loglevel)}`)
  }
  return levelVerbosity[loglevel]
}

/** Parses command-line flags into a config; throws ConfigError with a readable message. */
/** Flag values as `parseArgs` gives them (and `--config` files are read into). */
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

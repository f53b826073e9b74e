import { readFileSync } from 'node:fs'
import { formatDuration, toHex } from '@x/core'
import type { NatSpec } from '@x/p2p'
import { parse, stringify, TomlError } from 'smol-toml'
import { ConfigError, type FlagValues, type NodeConfig, options } from './config.js'

type FlagName = keyof typeof options
type TomlValue = string | number | boolean | string[]

// Flags that make no sense inside a config file.
const notInFile = new Set<string>(['config', 'help'])

/** `[http] port = 1` and `"http.port" = 1` both name the flag `--http.port`. */
function flatten(table: Record<string, unknown>, prefix = ''): [string, unknown][] {
  return Object.entries(table).flatMap(([k, v]): [string, unknown][] =>
    v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date)
      ? flatten(v as Record<string, unknown>, `${prefix}${k}.`)
      : [[`${prefix}${k}`, v]],
  )
}

function flagValue(key: FlagName, value: unknown, file: string): string | boolean {
  const at = `${file}: ${key}`
  if (options[key].type === 'boolean') {
    if (typeof value !== 'boolean') throw new ConfigError(`${at} must be true or false`)
    return value
  }
  if (typeof value === 'string') return value
  if (typeof value === 'number' && Number.isFinite(value)) return String(value)
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.join(',')
  throw new ConfigError(`${at} must be a string, a number or a list of strings`)
}

/**
 * The flags of a TOML config file (`--config`), keys named as the flags without `--`, under the
 * flags given on the command line (those win). An unknown key is an error that names it.
 */
export function withConfigFile(values: FlagValues, file: string): FlagValues {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new ConfigError(`--config ${file}: ${code === 'ENOENT' ? 'no such file' : code}`)
  }
  let table: Record<string, unknown>
  try {
    table = parse(text)
  } catch (err) {
    const where = err instanceof TomlError ? ` (line ${err.line})` : ''
    throw new ConfigError(`--config ${file}: not valid TOML${where}`)
  }
  const fromFile: Record<string, string | boolean> = {}
  for (const [key, value] of flatten(table)) {
    if (!Object.hasOwn(options, key) || notInFile.has(key)) {
      throw new ConfigError(`--config ${file}: unknown key ${JSON.stringify(key)}`)
    }
    fromFile[key] = flagValue(key as FlagName, value, file)
  }
  const cli = Object.fromEntries(Object.entries(values).filter(([k]) => k !== 'config'))
  return { ...fromFile, ...cli } as FlagValues
}

/**
 * The effective config as the flags that give it, as TOML: `node-app --config <that file>`
 * starts with the same config (every default written out, paths absolute).
 */
export function dumpConfig(config: NodeConfig): string {
  const flags: Partial<Record<FlagName, TomlValue>> = {
    datadir: config.datadir,
    port: config.port,
    discport: config.discport,
    bootnodes: config.bootnodes,
    'discovery.dns': config.dnsDiscovery,
    nodiscover: config.nodiscover,
    maxpeers: config.maxpeers,
    nodial: config.nodial,
    netrestrict: config.netrestrict,
    verbosity: config.verbosity,
    aggregator: config.aggregator,
  }
  if (config.addr !== undefined) flags.addr = config.addr
  if (config.nat !== undefined) flags.nat = natText(config.nat)
  if (config.nodekey !== undefined) {
    if ('file' in config.nodekey) flags.nodekey = config.nodekey.file
    else flags.nodekeyhex = toHex(config.nodekey.key)
  }
  if (config.maxpendpeers !== 0) flags.maxpendpeers = config.maxpendpeers
  if (config.identity !== undefined) flags.identity = config.identity
  if (config.minStatements !== undefined) flags['discovery.minstatements'] = config.minStatements
  if (config.metrics) {
    flags['metrics.addr'] = config.metrics.addr
    flags['metrics.port'] = config.metrics.port
  }
  if (config.genesis !== undefined) flags.genesis = config.genesis
  else flags.network = config.network
  if (config.logFormat !== undefined) flags['log.format'] = config.logFormat
  if (config.staticFile !== undefined) flags.static = config.staticFile
  if (config.trustedFile !== undefined) flags.trusted = config.trustedFile
  if (config.importFile !== undefined) flags.import = config.importFile
  if (config.follow !== undefined) flags.follow = config.follow
  if (config.networkid !== undefined) flags.networkid = config.networkid
  if (config.http) {
    flags['http.addr'] = config.http.addr
    flags['http.port'] = config.http.port
    if (config.http.rpc) flags.http = true
  }
  if (config.heartbeat) {
    flags['heartbeat.target'] = config.heartbeat.target
    flags['heartbeat.period'] = config.heartbeat.period
    flags['heartbeat.nickname'] = config.heartbeat.nickname
  }
  if (config.aggregatorHttp) flags['aggregator.http.port'] = config.aggregatorHttp.port
  const t = config.discoveryTiming
  if (t.revalidateIntervalMs !== undefined) {
    flags['discovery.revalidate'] = formatDuration(t.revalidateIntervalMs)
  }
  if (t.copyNodesIntervalMs !== undefined) {
    flags['discovery.copy'] = formatDuration(t.copyNodesIntervalMs)
  }
  if (t.seedMinTableTimeMs !== undefined) {
    flags['discovery.seedtime'] = formatDuration(t.seedMinTableTimeMs)
  }
  // Quoted keys ("http.port" = 8545): one line per flag, the flag's own name.
  return `# node-app config: every key is a flag without its --; flags on the command line win.\n${stringify(flags)}\n`
}

/** A `--nat` value as the flag takes it. */
function natText(nat: NatSpec): string {
  switch (nat.kind) {
    case 'extip':
      return `extip:${nat.ip}`
    case 'pmp':
      return nat.gateway === undefined ? 'pmp' : `pmp:${nat.gateway}`
    default:
      return nat.kind
  }
}

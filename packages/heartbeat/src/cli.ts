import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import {
  createLogger,
  isLogFormat,
  isLogLevel,
  isValidPort,
  type LogThreshold,
  normalizeIp,
  useFastCrypto,
  verbosityLevel,
} from '@x/core'
import { loadOrCreateNodeKey, parseNodeKey } from '@x/discover'
import { rlpx, tcpNetwork } from '@x/p2p'
import { aggregatorDefaults } from './aggregator.js'
import { AggregatorNode, aggregatorNodeDefaults } from './aggregator-node.js'
import { durationOption, HeartbeatError } from './errors.js'

export const aggregatorUsage = `Usage: x-heartbeat-aggregator [options]

Receives heartbeat/1 beats over RLPx, raises alerts, serves them as JSON over HTTP.
Prints its enode URL (give it to nodes as --heartbeat.target) and the HTTP API address on
standard output; logs JSON lines on standard error.

  --addr <ip>                 RLPx listen address (default: 127.0.0.1)
  --port <n>                  RLPx TCP port, 0 = any (default: 30305)
  --extip <ip>                IP put in the printed enode URL (default: --addr)
  --datadir <dir>             where the node key lives (default: ./aggregator-data)
  --nodekey <hex>             node key as 64 hex characters (instead of --datadir's)
  --http.addr <ip>            HTTP API address (default: 127.0.0.1)
  --http.port <n>             HTTP API port, 0 = any (default: 8547)
  --nohttp                    no HTTP API
  --period <dur>              beat period assumed for records that carry none (default: 3s)
  --height.threshold <n>      "behind" alert when a node lags the highest by more (default: 10)
  --maxnodes <n>              nodes tracked (default: 1024)
  --webhook <url>             POST every alert as JSON to this URL
  --verbosity <0-5>           0 silent, 1 error, 2 warn, 3 info, 4-5 debug (default: 3)
  --loglevel <level>          debug | info | warn | error (--verbosity 4 | 3 | 2 | 1)
  --log.format <format>       json | logfmt | terminal (default: json)
  -h, --help                  show this help
`

export interface AggregatorCliIo {
  /** One line of standard output: the enode URL, then the HTTP API address (and --help). */
  out(line: string): void
  /** One line of error output: usage errors and the JSON log lines. */
  err(line: string): void
  /** ANSI colours in `--log.format terminal` (the error stream is a TTY). */
  color?: boolean
}

/** `--verbosity` 0-5 (geth's), else `--loglevel`, else info. */
function logThreshold(verbosity: string | undefined, loglevel: string | undefined): LogThreshold {
  if (verbosity !== undefined) {
    if (!/^[0-5]$/.test(verbosity)) {
      throw usageError(`--verbosity must be 0-5, got ${JSON.stringify(verbosity)}`)
    }
    return verbosityLevel(Number(verbosity))
  }
  const level = loglevel ?? 'info'
  if (!isLogLevel(level)) {
    throw usageError(`--loglevel must be debug, info, warn or error, got ${JSON.stringify(level)}`)
  }
  return level
}

function usageError(message: string): HeartbeatError {
  return new HeartbeatError('ERR_INVALID_CONFIG', message)
}

function portOf(v: string | undefined, flag: string, fallback: number): number {
  if (v === undefined) return fallback
  const n = Number(v)
  if (!/^\d+$/.test(v) || !(isValidPort(n) || n === 0)) {
    throw usageError(`${flag} must be a port number 0-65535, got ${JSON.stringify(v)}`)
  }
  return n
}

function ipOf(v: string, flag: string): string {
  try {
    return normalizeIp(v)
  } catch {
    throw usageError(`${flag} must be an IP address, got ${JSON.stringify(v)}`)
  }
}

function uintOf(v: string | undefined, flag: string, fallback: number, min: number): number {
  if (v === undefined) return fallback
  if (!/^\d+$/.test(v) || Number(v) < min) {
    throw usageError(`${flag} must be an integer ≥ ${min}, got ${JSON.stringify(v)}`)
  }
  return Number(v)
}

/**
 * Runs the standalone aggregator with command-line `argv`: resolves with the started
 * {@link AggregatorNode} (stop it with `node.stop()`), or with an exit code (0 after --help, 2 on
 * a usage error, 1 when it cannot start). The first output line is the enode URL.
 */
export async function runAggregatorCli(
  argv: readonly string[],
  io: AggregatorCliIo,
): Promise<AggregatorNode | number> {
  let node: AggregatorNode
  try {
    const { values } = parseArgs({
      args: argv[0] === '--' ? argv.slice(1) : [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        addr: { type: 'string' },
        port: { type: 'string' },
        extip: { type: 'string' },
        datadir: { type: 'string' },
        nodekey: { type: 'string' },
        'http.addr': { type: 'string' },
        'http.port': { type: 'string' },
        nohttp: { type: 'boolean' },
        period: { type: 'string' },
        'height.threshold': { type: 'string' },
        maxnodes: { type: 'string' },
        webhook: { type: 'string' },
        loglevel: { type: 'string' },
        verbosity: { type: 'string' },
        'log.format': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    })
    if (values.help) {
      for (const line of aggregatorUsage.trimEnd().split('\n')) io.out(line)
      return 0
    }
    const level = logThreshold(values.verbosity, values.loglevel)
    const format = values['log.format'] ?? 'json'
    if (!isLogFormat(format)) {
      throw usageError(
        `--log.format must be json, logfmt or terminal, got ${JSON.stringify(format)}`,
      )
    }
    // Logs go to the error stream: standard output carries only the enode URL and HTTP address.
    const log = createLogger({ level, format, color: io.color === true, write: io.err })
    const defaultPeriod =
      values.period === undefined ? undefined : durationOption(values.period, '--period')
    const addr = ipOf(values.addr ?? '127.0.0.1', '--addr')
    const listen = {
      ip: addr,
      port: portOf(values.port, '--port', aggregatorNodeDefaults.listen.port),
    }
    const http = values.nohttp
      ? null
      : {
          host: ipOf(values['http.addr'] ?? '127.0.0.1', '--http.addr'),
          port: portOf(values['http.port'], '--http.port', 8547),
        }
    let privateKey: Uint8Array
    if (values.nodekey !== undefined) {
      privateKey = parseNodeKey(values.nodekey)
    } else {
      const path = join(resolve(values.datadir ?? './aggregator-data'), 'nodekey')
      const loaded = await loadOrCreateNodeKey(path)
      if (loaded.created) log.info('created node key', { path })
      privateKey = loaded.key
    }
    await useFastCrypto()
    node = new AggregatorNode({
      privateKey,
      network: tcpNetwork(rlpx, { logger: log }),
      listen,
      http,
      ...(values.extip !== undefined ? { externalIp: ipOf(values.extip, '--extip') } : {}),
      ...(defaultPeriod !== undefined ? { defaultPeriod } : {}),
      heightThreshold: uintOf(
        values['height.threshold'],
        '--height.threshold',
        aggregatorDefaults.heightThreshold,
        0,
      ),
      maxNodes: uintOf(values.maxnodes, '--maxnodes', aggregatorDefaults.maxNodes, 1),
      ...(values.webhook !== undefined ? { webhook: values.webhook } : {}),
      logger: log,
    })
    await node.start()
  } catch (err) {
    const usage =
      (err instanceof HeartbeatError &&
        (err.code === 'ERR_INVALID_CONFIG' || err.code === 'ERR_INVALID_DURATION')) ||
      (err as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ||
      (err as { code?: string }).code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE'
    // The first line only: node's parseArgs adds lines of advice to some of its messages.
    io.err(`x-heartbeat-aggregator: ${(err as Error).message.split('\n')[0]}`)
    if (usage) io.err('run with --help for the options')
    return usage ? 2 : 1
  }
  io.out(node.enode)
  const a = node.http?.address
  if (a) io.out(`http://${a.host}:${a.port}`)
  return node
}

import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { isValidPort, normalizeIp } from '@x/discover'

export interface NodeConfig {
  datadir: string
  /** TCP listening port (RLPx); also the UDP port unless discport is set. */
  port: number
  /** UDP discovery port. */
  discport: number
  /** IP address advertised in our enode URL. */
  extip: string
  logLevel: 'debug' | 'info' | 'warn' | 'error'
}

export const usage = `Usage: node-app [options]

  --datadir <dir>     where the node key and database live (default: ./data)
  --port <n>          TCP listening port (default: 30303)
  --discport <n>      UDP discovery port (default: same as --port)
  --extip <ip>        IP address advertised in the enode URL (default: 127.0.0.1)
  --loglevel <level>  debug | info | warn | error (default: info)
  -h, --help          show this help
`

export class ConfigError extends Error {
  override name = 'ConfigError'
}

function port(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback
  const n = /^[0-9]+$/.test(value) ? Number(value) : Number.NaN
  if (!isValidPort(n))
    throw new ConfigError(`${flag} must be a port number 0-65535, got ${JSON.stringify(value)}`)
  return n
}

/** Parses command-line flags into a config; throws ConfigError with a readable message. */
export function parseConfig(argv: string[], cwd = process.cwd()): NodeConfig | 'help' {
  let values: ReturnType<typeof parse>['values']
  const parse = (args: string[]) =>
    parseArgs({
      args,
      strict: true,
      options: {
        datadir: { type: 'string' },
        port: { type: 'string' },
        discport: { type: 'string' },
        extip: { type: 'string' },
        loglevel: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    })
  try {
    values = parse(argv).values
  } catch (err) {
    throw new ConfigError((err as Error).message)
  }
  if (values.help) return 'help'
  const tcp = port(values.port, '--port', 30303)
  const level = values.loglevel ?? 'info'
  if (!['debug', 'info', 'warn', 'error'].includes(level)) {
    throw new ConfigError(
      `--loglevel must be debug, info, warn or error, got ${JSON.stringify(level)}`,
    )
  }
  let extip: string
  try {
    extip = normalizeIp(values.extip ?? '127.0.0.1')
  } catch {
    throw new ConfigError(`--extip must be an IP address, got ${JSON.stringify(values.extip)}`)
  }
  return {
    datadir: resolve(cwd, values.datadir ?? 'data'),
    port: tcp,
    discport: port(values.discport, '--discport', tcp),
    extip,
    logLevel: level as NodeConfig['logLevel'],
  }
}

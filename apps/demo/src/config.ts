import { parseArgs } from 'node:util'
import { isValidPort, parseDuration } from '@x/core'
import { DemoError } from './errors.js'

/** Most node-apps the devnet runs (the 2-core budget; `add` stops there too). */
export const maxNodes = 50

export type DemoConfig =
  | { mode: 'help' }
  | { mode: 'story' }
  | {
      mode: 'devnet'
      nodes: number
      /** Dashboard port on 127.0.0.1 (0: any free port). */
      port: number
      /** Heartbeat period in ms. */
      beatMs: number
    }

export const usage = `Usage: demo [story | devnet] [options]

  story                   the three-node discovery story, narrated; exits 0 if every step happened
  devnet (default)        N node-apps, one bootnode, an aggregator and a live dashboard

Devnet options:
  --nodes <n>             node-apps besides the aggregator, 2-${maxNodes} (default: 8)
  --port <n>              dashboard port on 127.0.0.1 (default: 0 = any free port)
  --beat <dur>            heartbeat period, 200ms-1m, e.g. 500ms, 2s (default: 1s; a bare
                          number is milliseconds)
  -h, --help              show this help
`

function int(value: string | undefined, flag: string, fallback: number, min: number, max: number) {
  if (value === undefined) return fallback
  const n = /^[0-9]+$/.test(value) ? Number(value) : Number.NaN
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new DemoError(
      'ERR_BAD_FLAG',
      `${flag} must be an integer ${min}-${max}, got ${JSON.stringify(value)}`,
    )
  }
  return n
}

/** `--beat` as a duration like every CLI here ("500ms", "2s"); a bare number stays milliseconds. */
function beat(value: string | undefined): number {
  if (value === undefined) return 1_000
  let ms: number
  try {
    ms = parseDuration(/^\d+$/.test(value) ? Number(value) : value, '--beat')
  } catch (err) {
    throw new DemoError('ERR_BAD_FLAG', (err as Error).message)
  }
  if (ms < 200 || ms > 60_000) {
    throw new DemoError('ERR_BAD_FLAG', `--beat must be 200ms-1m, got ${JSON.stringify(value)}`)
  }
  return ms
}

/** Parses the demo's arguments; throws DemoError(ERR_BAD_FLAG) with one readable line. */
export function parseDemoArgs(argv: readonly string[]): DemoConfig {
  // `pnpm --filter demo start -- story` hands the script a literal `--` first: skip it.
  const args = argv[0] === '--' ? argv.slice(1) : [...argv]
  let parsed: ReturnType<typeof parse>
  try {
    parsed = parse(args)
  } catch (err) {
    // The first line only: node's parseArgs adds lines of advice to some of its messages.
    throw new DemoError('ERR_BAD_FLAG', (err as Error).message.split('\n')[0] as string)
  }
  const { values, positionals } = parsed
  if (values.help) return { mode: 'help' }
  if (positionals.length > 1) {
    throw new DemoError('ERR_BAD_FLAG', `one mode at most, got ${positionals.join(' ')}`)
  }
  const mode = positionals[0] ?? 'devnet'
  if (mode === 'story') {
    if (values.nodes !== undefined || values.port !== undefined || values.beat !== undefined) {
      throw new DemoError('ERR_BAD_FLAG', '--nodes, --port and --beat are devnet options')
    }
    return { mode: 'story' }
  }
  if (mode !== 'devnet') {
    throw new DemoError('ERR_BAD_FLAG', `unknown mode ${JSON.stringify(mode)} (story or devnet)`)
  }
  const port = int(values.port, '--port', 0, 0, 65535)
  if (!isValidPort(port)) throw new DemoError('ERR_BAD_FLAG', `--port: bad port ${port}`)
  return {
    mode: 'devnet',
    nodes: int(values.nodes, '--nodes', 8, 2, maxNodes),
    port,
    beatMs: beat(values.beat),
  }
}

function parse(args: string[]) {
  return parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: {
      nodes: { type: 'string' },
      port: { type: 'string' },
      beat: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  })
}
